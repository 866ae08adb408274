import { DEFAULT_SETTINGS, settingsFromEnvironment, settingsToEnvironment } from '../../functions/switch/schema';
import { environmentConfig } from '../../stacks/config';

const base = { environment: 'qa', accountId: '123456789012' };

describe('switch settings: fail policy per switch and declared switches', () => {
  it('defaults to no fail-closed switch and every valid name answered', () => {
    expect([DEFAULT_SETTINGS.failClosedSwitches, DEFAULT_SETTINGS.switches]).toEqual([[], undefined]);
    expect(settingsFromEnvironment({})).toEqual(DEFAULT_SETTINGS);
    expect(settingsFromEnvironment({ SUSPENSE_FAIL_CLOSED_SWITCHES: '', SUSPENSE_SWITCHES: '' })).toEqual(DEFAULT_SETTINGS);
  });

  it('reads comma-separated lists, ignoring spaces around names', () => {
    const settings = settingsFromEnvironment({ SUSPENSE_FAIL_CLOSED_SWITCHES: 'payments, orders', SUSPENSE_SWITCHES: 'global,orders,payments' });

    expect(settings.failClosedSwitches).toEqual(['payments', 'orders']);
    expect(settings.switches).toEqual(['global', 'orders', 'payments']);
  });

  it.each([
    [{ SUSPENSE_FAIL_CLOSED_SWITCHES: 'a,,b' }, 'SUSPENSE_FAIL_CLOSED_SWITCHES must be a list of switch names (each matching /^[A-Za-z0-9._-]{1,64}$/), got "a,,b"'],
    [{ SUSPENSE_SWITCHES: 'global,no spaces' }, 'SUSPENSE_SWITCHES must be a list of at least one switch names (each matching /^[A-Za-z0-9._-]{1,64}$/), got "global,no spaces"'],
    [{ SUSPENSE_SWITCHES: 'global,global' }, 'SUSPENSE_SWITCHES must not name a switch twice, got "global,global"'],
    [{ SUSPENSE_SWITCHES: 'orders' }, 'SUSPENSE_SWITCHES must include the default switch "global"'],
    [{ SUSPENSE_SWITCHES: 'global', SUSPENSE_FAIL_CLOSED_SWITCHES: 'payments' }, 'SUSPENSE_SWITCHES must include every fail-closed switch (missing "payments")'],
  ])('refuses the environment %j', (env, message) => {
    expect(() => settingsFromEnvironment(env)).toThrow(message);
  });

  it('has the stack write the lists only when they name a switch', () => {
    const declared = environmentConfig({ ...base, switchSettings: { failClosedSwitches: ['payments'], switches: ['global', 'payments'] } });

    expect(settingsToEnvironment(environmentConfig(base).switchSettings)).not.toHaveProperty('SUSPENSE_FAIL_CLOSED_SWITCHES');
    expect(settingsToEnvironment(environmentConfig(base).switchSettings)).not.toHaveProperty('SUSPENSE_SWITCHES');
    expect(settingsToEnvironment(declared.switchSettings)).toMatchObject({ SUSPENSE_FAIL_CLOSED_SWITCHES: 'payments', SUSPENSE_SWITCHES: 'global,payments' });
    // What the stack writes, the function reads back unchanged.
    expect(settingsFromEnvironment(settingsToEnvironment(declared.switchSettings))).toEqual(declared.switchSettings);
  });

  it.each([
    [{ switches: ['orders'] }, 'switchSettings.switches must include the default switch "global"'],
    [{ failClosedSwitches: ['payments'], switches: ['global'] }, 'switchSettings.switches must include every fail-closed switch (missing "payments")'],
    [{ failClosedSwitches: 'payments' }, 'switchSettings.failClosedSwitches must be a list of switch names (each matching /^[A-Za-z0-9._-]{1,64}$/), got "payments"'],
    [{ switches: [] }, 'switchSettings.switches must be a list of at least one switch names'],
    [{ switches: Array.from({ length: 40 }, (_, i) => `${'s'.repeat(60)}${i}`) }, 'switchSettings.switches must fit in 2048 characters once joined with commas'],
  ])('refuses the stack config switchSettings %j', (switchSettings, message) => {
    expect(() => environmentConfig({ ...base, switchSettings: switchSettings as never })).toThrow(`environment "qa": ${message}`);
  });
});
