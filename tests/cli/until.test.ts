import { UsageError } from '../../cli/errors';
import { parseUntilArgument, untilAt } from '../../cli/until';
import { SwitchInputError } from '../../functions/switch/switch-input';

const NOW = Date.parse('2030-06-15T12:00:00.000Z');

describe('--until', () => {
  it.each([
    ['90s', '2030-06-15T12:01:30.000Z'],
    ['30m', '2030-06-15T12:30:00.000Z'],
    ['2h', '2030-06-15T14:00:00.000Z'],
    ['1d', '2030-06-16T12:00:00.000Z'],
    ['365d', '2031-06-15T12:00:00.000Z'],
  ])('reads the duration %s as an instant from now', (text, expected) => {
    expect(untilAt(parseUntilArgument(text, NOW), NOW)).toBe(expected);
  });

  it.each([
    ['2030-06-15T13:00:00Z', '2030-06-15T13:00:00.000Z'],
    ['2030-06-15T13:00Z', '2030-06-15T13:00:00.000Z'],
    ['2030-06-15T13:00:00.5Z', '2030-06-15T13:00:00.500Z'],
    ['2030-06-15T15:00:00+02:00', '2030-06-15T13:00:00.000Z'],
    ['2030-06-15T08:30:00-04:30', '2030-06-15T13:00:00.000Z'],
    ['2030-06-15T13:00:00+00:00', '2030-06-15T13:00:00.000Z'],
  ])('reads the time %s and stores it in UTC', (text, expected) => {
    expect(untilAt(parseUntilArgument(text, NOW), NOW + 3_600_000)).toBe(expected);
  });

  it.each([
    ['0s', UsageError, '--until "0s" is not in the future: give a duration above zero'],
    ['366d', UsageError, '--until "366d" is longer than 365d: give an ISO 8601 time instead'],
    ['2030-06-15T12:00:00Z', SwitchInputError, 'until 2030-06-15T12:00:00.000Z is not in the future (now 2030-06-15T12:00:00.000Z)'],
    ['2030-06-15', UsageError, '--until "2030-06-15" has no time zone: add Z for UTC (2030-06-15T00:00:00Z) or an offset such as +02:00'],
    ['2030-02-29T00:00:00Z', UsageError, '--until "2030-02-29T00:00:00Z" is not a valid date and time'],
    ['2030-06-15T12:60:00Z', UsageError, '--until "2030-06-15T12:60:00Z" is not a valid date and time'],
    ['2030-06-15T13:00:00z', UsageError, expect.stringMatching(/^--until must be an ISO 8601 time with a zone/)],
    ['1h30m', UsageError, expect.stringMatching(/^--until must be an ISO 8601 time with a zone .* got "1h30m"$/)],
    ['now', UsageError, expect.stringMatching(/got "now"$/)],
  ])('refuses %s', (text, type, message) => {
    const error = (() => {
      try {
        parseUntilArgument(text, NOW);
      } catch (e) {
        return e;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toEqual(message);
  });
});
