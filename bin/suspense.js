#!/usr/bin/env node
'use strict';
require('../tools/register-ts');
require('../cli/main.ts');
