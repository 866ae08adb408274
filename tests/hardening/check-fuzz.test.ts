/**
 * Property-based tests of the check function's real module (functions/check/handler.ts) against dynalite: whatever
 * the event, the answer is a valid API Gateway proxy response, a client error is a 400 with a clear message, and
 * nothing leaks (no stack trace, no unhandled rejection, no echo of a huge input).
 */
import * as fc from 'fast-check';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { CheckHandler } from '../../functions/check/check-handler';
import { SWITCH_NAME_PATTERN } from '../../functions/switch/schema';
import { useDynalite } from '../support/dynalite';
import { lambdaLikeEnvironment, withEnvironment } from '../support/environment';
import { consoleTestEvent, functionUrlEvent, httpApiEvent, restApiEvent } from '../support/lambda-events';
import { putRawSwitchItem, switchAttributes } from '../support/switch-items';
import { captureStdout, loadCheckModule, onUnhandledRejection, type CapturedLog } from '../support/check-module';

const TABLE = 'switches';
const DEFAULT_SWITCH = 'global';
/** Switches with an item that suspends them; every other switch is active. Prototype names on purpose. */
const SUSPENDED = ['payments', '__proto__', 'constructor'];
const ACTIVE = ['orders', 'prototype', 'toString', DEFAULT_SWITCH];
const PROJECT_ROOT = path.resolve(__dirname, '../..');

/** Cases per property: thousands in all. */
const RUNS = { jsonValues: 2000, eventShaped: 3000, realEventsWithHostileFields: 1500 };

// ---------------------------------------------------------------------------------------------------------------
// What the check must answer: the switch an event names (functions/check/check-event.ts's contract, restated).
// ---------------------------------------------------------------------------------------------------------------

type Named = { readonly ok: true; readonly switch: string } | { readonly ok: false };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const own = (object: Record<string, unknown>, key: string): unknown => (Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined);
const nameOrError = (value: unknown): Named => (typeof value === 'string' && SWITCH_NAME_PATTERN.test(value) ? { ok: true, switch: value } : { ok: false });

/**
 * Path parameter `switch`; else a `/switches/<name>` path (`rawPath` or REST `path`, an HTTP API's named stage
 * removed); else query parameter `switch`; else, in an event that is not an HTTP request, a top-level `switch`;
 * else the default, only for no path or `/`; any other path is an error.
 */
function namedSwitch(event: unknown): Named {
  if (!isObject(event)) return { ok: false };
  const pathParameters = own(event, 'pathParameters');
  if (pathParameters !== undefined && pathParameters !== null && !isObject(pathParameters)) return { ok: false };
  if (isObject(pathParameters) && own(pathParameters, 'switch') !== undefined) return nameOrError(own(pathParameters, 'switch'));
  const rawPath = own(event, 'rawPath');
  const restPath = own(event, 'path');
  for (const value of [rawPath, restPath]) if (value !== undefined && value !== null && typeof value !== 'string') return { ok: false };
  let path = typeof rawPath === 'string' ? rawPath : typeof restPath === 'string' ? restPath : undefined;
  const requestContext = own(event, 'requestContext');
  const stage = isObject(requestContext) ? own(requestContext, 'stage') : undefined;
  // An HTTP API's named stage leads rawPath (payload 2.0) and path (payload 1.0, `version: '1.0'`).
  if (path !== undefined && (typeof rawPath === 'string' || own(event, 'version') === '1.0') && typeof stage === 'string' && stage !== '' && stage !== '$default') {
    if (path === `/${stage}`) path = '/';
    else if (path.startsWith(`/${stage}/`)) path = path.slice(stage.length + 1);
  }
  // Repeated slashes are one when naming a switch, never when reaching the default.
  const switchPath = path?.replace(/\/+/g, '/');
  if (switchPath !== undefined && switchPath.startsWith('/switches/')) {
    const segment = switchPath.slice('/switches/'.length).replace(/\/$/, '');
    try {
      return nameOrError(decodeURIComponent(segment));
    } catch {
      return { ok: false };
    }
  }
  const query = own(event, 'queryStringParameters');
  if (query !== undefined && query !== null && !isObject(query)) return { ok: false };
  if (isObject(query) && own(query, 'switch') !== undefined) return nameOrError(own(query, 'switch'));
  if (own(event, 'switch') !== undefined) {
    // An HTTP request never carries a top-level switch: one there is refused, not ignored.
    if (requestContext !== undefined || own(event, 'httpMethod') !== undefined) return { ok: false };
    return nameOrError(own(event, 'switch'));
  }
  return path === undefined || path === '' || path === '/' ? { ok: true, switch: DEFAULT_SWITCH } : { ok: false };
}

/** The messages a 400 may carry: each says what is wrong with the event. */
const CLIENT_ERROR = new RegExp(
  [
    '^the event must be a JSON object \\(an API Gateway, function URL, console test or direct invoke event\\), got (null|nothing|an array|a \\w+)$',
    '^(pathParameters|queryStringParameters) must be an object, got (an array|a \\w+)$',
    '^(rawPath|path) must be a string, got (an array|a \\w+)$',
    '^((path|query) parameter "switch"|the event\'s "switch" field) must be a string, got (null|an array|a \\w+)$',
    '^the event\'s "switch" field is read only from a direct invoke \\(an event without requestContext or httpMethod\\): use /switches/<name>, \\?switch=<name>, or / for the default switch$',
    '^invalid switch name ".*" in (path parameter "switch"|query parameter "switch"|the path /switches/<name>|the event\'s "switch" field): use 1-64 characters of A-Z a-z 0-9 \\. _ -$',
    '^the path ".*" is not valid percent-encoding$',
    '^no switch at the path ".*": use /switches/<name>, \\?switch=<name>, or / for the default switch$',
  ].join('|'),
  's',
);

// ---------------------------------------------------------------------------------------------------------------
// Hostile values
// ---------------------------------------------------------------------------------------------------------------

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** Long strings cost memory, not randomness: one character repeated up to a megabyte. */
const hugeString = fc.tuple(fc.constantFrom('x', '/', '%', '\u00e9', '\ud83d\ude00', '\u202e', '\u0000'), fc.integer({ min: 10_000, max: 1_000_000 })).map(([char, length]) => char.repeat(length));

const hostileString = fc.oneof(
  { weight: 4, arbitrary: fc.string() },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 80 }) },
  // Lone surrogates and every plane.
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      ...PROTOTYPE_KEYS,
      'toString',
      'hasOwnProperty',
      '',
      ' ',
      '.',
      '..',
      '../global',
      'global ',
      'glob\u0000al',
      '\u202eglobal',
      'caf\u00e9',
      '\ufb00',
      '%',
      '%E0%A4%A',
      '%2e%2e',
      'a'.repeat(64),
      'a'.repeat(65),
      '    at Object.<anonymous> (/var/task/index.js:1:1)',
    ),
  },
  { weight: 1, arbitrary: hugeString },
);

const validName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SUSPENDED, ...ACTIVE) },
  { weight: 1, arbitrary: fc.stringMatching(SWITCH_NAME_PATTERN) },
);

/** A switch name as an event might carry one: valid, hostile, or not a string at all. */
const switchCandidate = fc.oneof(validName, hostileString, fc.constantFrom(null, undefined, 0, -1, true, [], {}, ['payments'], { switch: 'payments' }));

/** Any value: scalars of every kind, nested arrays and objects whose keys include the prototype keys. */
const { hostileValue } = fc.letrec((tie) => ({
  hostileValue: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.constantFrom(null, undefined, true, false, 0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 2),
    fc.double(),
    fc.array(tie('hostileValue'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, 'switch'), fc.string()), tie('hostileValue'), { maxKeys: 5 }),
  ),
}));

/** A parameter map as API Gateway sends one, or anything else in its place. */
const parameters = fc.oneof(
  fc.constant(null),
  fc.record({ switch: switchCandidate }),
  fc.dictionary(fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, 'switch'), fc.string()), switchCandidate, { maxKeys: 4 }),
  hostileValue,
);

const rawPath = fc.oneof(
  switchCandidate.map((name) => `/switches/${String(name)}`),
  switchCandidate.map((name) => `/switches/${typeof name === 'string' ? encodeURIComponent(name) : String(name)}/`),
  switchCandidate.map((name) => `//switches//${String(name)}`),
  fc.constantFrom('/', '', '//', '/switchs/orders', '/switches', '/check'),
  hostileString,
  hostileValue,
);

/** Objects shaped like API Gateway and function URL events, every field possibly hostile or missing. */
const eventShaped = fc
  .record(
    {
      version: fc.oneof(fc.constantFrom('1.0', '2.0'), hostileValue),
      resource: hostileValue,
      httpMethod: fc.oneof(fc.constantFrom('GET', 'POST'), hostileValue),
      rawPath,
      path: rawPath,
      switch: switchCandidate,
      rawQueryString: hostileValue,
      pathParameters: parameters,
      queryStringParameters: parameters,
      multiValueQueryStringParameters: hostileValue,
      headers: fc.oneof(fc.dictionary(fc.string(), fc.string(), { maxKeys: 4 }), hostileValue),
      requestContext: fc.oneof(fc.record({ stage: fc.oneof(fc.constantFrom('$default', 'prod', 'switches', ''), hostileString) }), hostileValue),
      body: fc.oneof(fc.constant(null), hostileString),
      isBase64Encoded: hostileValue,
      // Computed: a literal `__proto__:` would set the model's prototype instead of adding a field.
      ['__proto__']: hostileValue,
      constructor: hostileValue,
      prototype: hostileValue,
    },
    { requiredKeys: [] },
  )
  .chain((event) => fc.constantFrom<unknown>(event, Object.assign(Object.create(null), event), [event]));

/** The shapes real callers send, with one field replaced by a hostile value (as an attacker controls the path). */
const realEventWithHostileField = fc
  .tuple(
    fc.constantFrom<() => Record<string, unknown>>(
      () => ({ ...consoleTestEvent }),
      () => ({ ...restApiEvent({ pathSwitch: 'payments' }) }),
      () => ({ ...restApiEvent({ querySwitch: 'orders' }) }),
      () => ({ ...httpApiEvent({ pathSwitch: 'payments' }) }),
      () => ({ ...functionUrlEvent({ rawPath: '/switches/payments' }) }),
      () => ({ ...functionUrlEvent({ querySwitch: 'payments' }) }),
    ),
    fc.constantFrom('pathParameters', 'queryStringParameters', 'rawPath', 'path', 'switch', 'requestContext', 'headers', '__proto__', 'constructor'),
    fc.oneof(parameters, rawPath),
  )
  .map(([event, field, value]) => {
    const hostile = event();
    Object.defineProperty(hostile, field, { value, enumerable: true, configurable: true, writable: true });
    return hostile;
  });

/**
 * Freezes `value` and everything in it: a handler that writes to its event would throw, and the test would see
 * it. Iterative, since some events are nested thousands deep.
 */
function deepFreeze<T>(value: T): T {
  const pending: unknown[] = [value];
  const seen = new Set<unknown>();
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null || seen.has(next)) continue;
    seen.add(next);
    for (const key of Reflect.ownKeys(next)) pending.push((next as Record<PropertyKey, unknown>)[key]);
    Object.freeze(next);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------------------

const dynamo = useDynalite({ table: TABLE });
let restoreEnvironment: () => void;
let handler: CheckHandler;
let log: CapturedLog;
let unhandled: unknown[];
let stopWatching: () => void;
let casesRun = 0;

beforeAll(async () => {
  for (const name of SUSPENDED) await putRawSwitchItem(dynamo.client, TABLE, name, switchAttributes({ suspended: true, reason: 'fuzzing', until: '2099-01-01T00:00:00.000Z' }));
  for (const name of ACTIVE) await putRawSwitchItem(dynamo.client, TABLE, name, switchAttributes({ suspended: false }));
  restoreEnvironment = withEnvironment(
    lambdaLikeEnvironment(dynamo.endpoint, { SUSPENSE_TABLE: TABLE, SUSPENSE_CACHE_TTL_SECONDS: '3600', SUSPENSE_DEFAULT_SWITCH: DEFAULT_SWITCH }),
  );
  handler = loadCheckModule();
  unhandled = [];
  stopWatching = onUnhandledRejection((reason) => unhandled.push(reason));
});
beforeEach(() => {
  log = captureStdout();
});
afterEach(() => {
  log.restore();
  expect(unhandled).toEqual([]);
});
afterAll(() => {
  stopWatching?.();
  restoreEnvironment?.();
});

/**
 * Every property an answer to `event` must have, broken ones listed. Plain checks and one `expect` per case: jest's
 * matchers cost tens of microseconds a call, and fourteen of them per case were half of this suite's CPU.
 */
function problemsWith(event: unknown, response: Awaited<ReturnType<CheckHandler>>, logLines: readonly Record<string, unknown>[]): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string): void => {
    if (!ok) problems.push(what);
  };
  // A valid API Gateway proxy response: exactly these three fields, of these types.
  need(isDeepStrictEqual(Object.keys(response).sort(), ['body', 'headers', 'statusCode']), `fields ${JSON.stringify(Object.keys(response))}, not body, headers and statusCode`);
  need(Number.isInteger(response.statusCode), `statusCode ${String(response.statusCode)} is not an integer`);
  need(Object.getPrototypeOf(response.headers) === Object.prototype, 'headers are not a plain object');
  need(Object.values(response.headers ?? {}).every((value) => typeof value === 'string'), 'a header value is not a string');
  need(response.headers?.['content-type'] === 'application/json', `content-type ${String(response.headers?.['content-type'])}`);
  if (typeof response.body !== 'string') return [...problems, `body is a ${typeof response.body}, not a string`];
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    return [...problems, `body is not JSON: ${response.body.slice(0, 200)}`];
  }
  if (!isObject(body)) return [...problems, `body is not a JSON object: ${response.body.slice(0, 200)}`];
  // Nothing of the function's insides, and no echo of a huge input.
  need(!response.body.includes(PROJECT_ROOT), 'body names the project folder');
  need(!/node_modules|\.ts:\d+/.test(response.body), 'body shows a module path or a stack frame');
  need(response.body.length <= 1024, `body is ${response.body.length} characters, more than 1024`);

  const expected = namedSwitch(event);
  if (!expected.ok) {
    need(response.statusCode === 400, `statusCode ${response.statusCode} for an event naming no valid switch, not 400`);
    need(isDeepStrictEqual(Object.keys(body), ['error']), `400 body fields ${JSON.stringify(Object.keys(body))}, not just error`);
    need(typeof body.error === 'string' && CLIENT_ERROR.test(body.error), `400 error ${JSON.stringify(body.error)} is not a clear client error`);
  } else {
    const suspended = SUSPENDED.includes(expected.switch);
    need(response.statusCode === (suspended ? 503 : 200), `statusCode ${response.statusCode} for switch ${JSON.stringify(expected.switch)}, not ${suspended ? 503 : 200}`);
    const wanted = suspended ? { switch: expected.switch, suspended: true, reason: 'fuzzing', until: '2099-01-01T00:00:00.000Z' } : { switch: expected.switch, suspended: false };
    need(isDeepStrictEqual(body, wanted), `body ${response.body} is not ${JSON.stringify(wanted)}`);
  }
  // One log line per invocation, never an error: a hostile event is the caller's problem, not the function's.
  need(logLines.length === 1 && logLines[0]!.level === 'info' && logLines[0]!.statusCode === response.statusCode, `log lines ${JSON.stringify(logLines).slice(0, 500)}, not one info line with the status`);
  return problems;
}

/** Invokes the handler with `event` and checks every property an answer must have. */
async function checkAnswers(event: unknown): Promise<void> {
  casesRun++;
  log.clear();
  const response = await handler(deepFreeze(event), { awsRequestId: `fuzz-${casesRun}` });
  expect(problemsWith(event, response, log.checks())).toEqual([]);
}

describe('check function given hostile events', () => {
  it(`answers ${RUNS.jsonValues} arbitrary JSON values (objects with prototype keys included) with a valid response`, async () => {
    const jsonValues = fc.oneof(fc.jsonValue(), fc.json().map((text) => JSON.parse(text) as unknown), hostileValue);
    const before = casesRun;
    await fc.assert(fc.asyncProperty(jsonValues, checkAnswers), { numRuns: RUNS.jsonValues });
    expect(casesRun - before).toBe(RUNS.jsonValues);
  });

  it(`answers ${RUNS.eventShaped} event-shaped objects with hostile fields: the named switch, or 400 with a clear message`, async () => {
    const before = casesRun;
    await fc.assert(fc.asyncProperty(eventShaped, checkAnswers), { numRuns: RUNS.eventShaped });
    expect(casesRun - before).toBe(RUNS.eventShaped);
  });

  it(`answers ${RUNS.realEventsWithHostileFields} real API Gateway and function URL events with one hostile field`, async () => {
    const before = casesRun;
    await fc.assert(fc.asyncProperty(realEventWithHostileField, checkAnswers), { numRuns: RUNS.realEventsWithHostileFields });
    expect(casesRun - before).toBe(RUNS.realEventsWithHostileFields);
  });

  it.each([
    ['a path parameter of a megabyte', { pathParameters: { switch: 'x'.repeat(1_000_000) } }],
    ['a rawPath of a megabyte of percent signs', { rawPath: `/switches/${'%'.repeat(1_000_000)}` }],
    ['an array nested 10 000 deep', JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`)],
    ['pathParameters nested 10 000 deep', { pathParameters: JSON.parse(`${'{"switch":'.repeat(10_000)}1${'}'.repeat(10_000)}`) }],
    ['a __proto__ key naming a suspended switch', JSON.parse('{"__proto__":{"pathParameters":{"switch":"payments"}}}')],
    ['queryStringParameters inheriting a switch', { queryStringParameters: Object.create({ switch: 'payments' }) }],
  ])('answers %s without trouble', async (_case, event) => {
    await checkAnswers(event);
  });
});
