'use strict';
// What Lambda's Node.js runtime provides around each invocation, for the benchmark's child processes: a context
// object and a fresh X-Ray trace header. Plain JavaScript with only Node built-ins, so that the children load
// nothing but this and the function under test.

const DEFAULT_SAMPLING_RATE = 0.05;
let traceCounter = 0;
let reservoirSecond = -1;

/**
 * Sets `_X_AMZN_TRACE_ID` as the runtime does before each invocation with active tracing. Sampling follows X-Ray's
 * default rule: the first request in each second, then 5% of the others; `sampled` forces the decision.
 */
function setTraceHeader(sampled) {
  const nowSeconds = Math.floor(Date.now() / 1000);
  let decision = sampled;
  if (decision === undefined) {
    decision = nowSeconds !== reservoirSecond || Math.random() < DEFAULT_SAMPLING_RATE;
    reservoirSecond = nowSeconds;
  }
  traceCounter += 1;
  const root = `1-${nowSeconds.toString(16)}-${traceCounter.toString(16).padStart(24, '0')}`;
  const parent = (0x5000000000000000n + BigInt(traceCounter)).toString(16);
  process.env._X_AMZN_TRACE_ID = `Root=${root};Parent=${parent};Sampled=${decision ? 1 : 0}`;
}

/** The Lambda context object's fields the contenders might read. */
function invocationContext(index) {
  const deadline = Date.now() + 5000;
  return {
    awsRequestId: `bench-${index}`,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME || 'bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION || 'eu-west-1'}:111111111111:function:bench`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE || '640',
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME || '/aws/lambda/bench',
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME || 'bench',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

module.exports = { setTraceHeader, invocationContext };
