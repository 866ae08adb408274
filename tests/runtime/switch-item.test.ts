import { MAX_OPERATOR_LENGTH } from '../../functions/switch/schema';
import { isSuspendedAt, parseIsoUtc, parseSwitchItem } from '../../functions/switch/switch-item';

describe('switch item parsing', () => {
  it('reads ISO 8601 UTC times, and only times that exist', () => {
    expect(parseIsoUtc('2030-01-31T18:00:00Z')).toBe(Date.UTC(2030, 0, 31, 18));
    expect(parseIsoUtc('2030-01-31T18:00:00.250+00:00')).toBe(Date.UTC(2030, 0, 31, 18, 0, 0, 250));
    for (const text of ['2030-02-30T00:00:00Z', '2030-01-31T24:00:00Z', '2030-01-31T18:00:00+02:00', '2030-01-31', 'soon', 42]) {
      expect({ text, ms: parseIsoUtc(text) }).toEqual({ text, ms: undefined });
    }
  });

  it('keeps a suspension whose until is not a real time in force, and says why', () => {
    const parsed = parseSwitchItem('orders', { suspended: true, reason: 'incident', until: '2030-02-30T00:00:00Z', version: 3 });

    expect(parsed).toEqual({
      ok: true,
      record: { name: 'orders', suspended: true, reason: 'incident', version: 3 },
      warnings: ['attribute "until" is not an ISO 8601 UTC time ("2030-02-30T00:00:00Z"); treated as no end'],
    });
    expect(parsed.ok && isSuspendedAt(parsed.record, Date.UTC(2031, 0, 1))).toBe(true);
  });

  it('cuts updatedBy to the write limit and leaves out an updatedAt that is not a time, saying so', () => {
    const parsed = parseSwitchItem('orders', { suspended: false, updatedAt: `2030-01-01T00:00:00Z${'x'.repeat(350_000)}`, updatedBy: '\u{1F9D1}'.repeat(350_000 / 4), version: 2 });

    expect(parsed).toEqual({
      ok: true,
      record: { name: 'orders', suspended: false, updatedBy: `${'\u{1F9D1}'.repeat(MAX_OPERATOR_LENGTH - 1)}…`, version: 2 },
      warnings: [
        `attribute "updatedAt" is not an ISO 8601 UTC time ("2030-01-01T00:00:00Z${'x'.repeat(19)}…"); ignored`,
        `attribute "updatedBy" is 87500 characters long; cut to ${MAX_OPERATOR_LENGTH}`,
      ],
    });
  });

  it('cannot read an item whose suspended flag is not a boolean', () => {
    expect(parseSwitchItem('orders', { suspended: 'true' })).toEqual({ ok: false, problem: 'attribute "suspended" is a string, expected a boolean' });
  });

  it('ends a suspension at its until, evaluated at read time', () => {
    const parsed = parseSwitchItem('orders', { suspended: true, until: '2030-01-01T00:00:00Z', version: 1 });
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(isSuspendedAt(parsed.record, Date.UTC(2029, 11, 31, 23, 59, 59))).toBe(true);
    expect(isSuspendedAt(parsed.record, Date.UTC(2030, 0, 1))).toBe(false);
  });
});
