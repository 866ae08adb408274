#!/usr/bin/env node
'use strict';
// From the bundle in .build/cli, rebuilt first when a source changed (tools/cli-bundle.js).
require('../tools/cli-bundle').startCli();
