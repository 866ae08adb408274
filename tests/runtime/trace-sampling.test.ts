import fc from 'fast-check';
import { isSampledTraceHeader } from '../../functions/switch/tracing';

// The X-Ray SDK's own header parser, which decides whether anything is sent: the check skips its trace work
// exactly when this says the invocation is not sampled.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const xrayUtils = require('aws-xray-sdk-core/dist/lib/utils') as { processTraceData(header: string): { sampled?: string } };
const sdkSampled = (header: string): boolean => Boolean(Number.parseInt(xrayUtils.processTraceData(header).sampled ?? ''));

describe('trace header sampling decision', () => {
  it.each([
    ['Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1', true],
    ['Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0', false],
    ['Root=1-5759e988-bd862e3fe1be46a994272793', false],
    ['Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1', true],
    [' sampled = 1 ', true],
    ['Sampled=1;Sampled=0', false],
    ['Sampled=?', false],
    ['', false],
  ])('reads %j as sampled: %s, as the X-Ray SDK does', (header, sampled) => {
    expect(isSampledTraceHeader(header)).toBe(sampled);
    expect(sdkSampled(header)).toBe(sampled);
  });

  it('agrees with the X-Ray SDK on any header', () => {
    const fragment = fc.constantFrom('Root=1-5759e988-bd862e3fe1be46a994272793', 'Parent=53995c3f42cd8ad8', 'Sampled', 'sampled', 'SAMPLED', '=', ';', ' ', '0', '1', '2', '0x1', '?', 'Lineage=a:1', '');
    const header = fc.array(fc.oneof(fragment, fc.string({ maxLength: 4 })), { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(fc.property(header, (text) => isSampledTraceHeader(text) === sdkSampled(text)), { numRuns: 5000 });
  });

  it('treats a missing header as unsampled, as the SDK treats a missing context', () => {
    expect(isSampledTraceHeader(undefined)).toBe(false);
  });
});
