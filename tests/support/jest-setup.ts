// The AWS SDK warns once per process that Node 20 support ends; the warning is noise in every test's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
