import { beforeAll, describe, expect, it } from 'vitest';
import { evaluatePassword, isBlocklistLoaded, loadBlocklist, passwordMaxLength, type PolicyInput, type PolicyRuleId } from './index.js';

beforeAll(async () => {
  await loadBlocklist();
});

const failed = (input: Omit<PolicyInput, 'profile'> & { profile?: PolicyInput['profile'] }): PolicyRuleId[] =>
  evaluatePassword({ profile: 'guide', ...input })
    .rules.filter((rule) => !rule.met)
    .map((rule) => rule.id);

const anna = { name: 'Anna Schmidt', email: 'anna.schmidt@example.com' };

describe('guide profile: each rule of the guide on its own', () => {
  it.each<[string, string, PolicyRuleId[]]>([
    ['meets every rule', 'Zähler-7Kiste', []],
    ['7 characters', 'Zäh-7Ki', ['min-length']],
    ['exactly 8 characters', 'Zäh-7Kis', []],
    ['no lower-case letter', 'ZÄHLER-7KISTE', ['lowercase']],
    ['no upper-case letter', 'zähler-7kiste', ['uppercase']],
    ['no digit', 'Zähler-Kiste', ['digit']],
    ['no special character', 'Zähler7Kiste', ['special']],
    ['a space is a special character', 'Zähler 7Kiste', []],
    ['only digits', '93817465', ['lowercase', 'uppercase', 'special']],
  ])('%s: %s', (_case, password, rules) => {
    expect(failed({ password })).toEqual(rules);
  });

  it('lists the rules in the order of the guide box, with the length limits', () => {
    const result = evaluatePassword({ password: 'x', profile: 'guide' });
    expect(result.ok).toBe(false);
    expect(result.rules.map((rule) => rule.id)).toEqual(['min-length', 'max-length', 'lowercase', 'uppercase', 'digit', 'special', 'not-name', 'not-email', 'not-common']);
    expect(result.rules.slice(0, 2)).toEqual([
      { id: 'min-length', met: false, limit: 8 },
      { id: 'max-length', met: true, limit: 128 },
    ]);
  });

  it.each<[string, string, PolicyRuleId[]]>([
    ['Greek letters count as letters', 'Κλειδί-7Σ', []],
    ['Cyrillic letters count as letters', 'Ключ-7Зам', []],
    ['Arabic-Indic digits count as digits', 'Zähler-٧Kiste', []],
    ['a decomposed accent is part of its letter, not a special character', 'Za\u0308hler7Kiste', ['special']],
    ['caseless scripts have no upper or lower case', '鍵と錠前の7番-です', ['lowercase', 'uppercase']],
  ])('Unicode: %s', (_case, password, rules) => {
    expect(failed({ password })).toEqual(rules);
  });
});

describe('length: code points, 128 at most, nothing cut off', () => {
  const base = 'Aa1-';
  it.each<[string, string, PolicyRuleId[]]>([
    ['128 characters', base + 'x'.repeat(124), []],
    ['129 characters', base + 'x'.repeat(125), ['max-length']],
    ['128 astral characters (256 UTF-16 units)', base + '🔑'.repeat(124), []],
    ['129 astral characters', base + '🔑'.repeat(125), ['max-length']],
    ['8 astral-heavy characters count as 8', 'Aa1-🔑🔑🔑🔑', []],
    ['7 characters of 11 UTF-16 units are too short', 'Aa1-🔑🔑🔑', ['min-length']],
  ])('%s', (_case, password, rules) => {
    expect(failed({ password })).toEqual(rules);
  });

  it('looks at every character: the name at character 100 of 128 is still found', () => {
    const password = `Aa1-${'x'.repeat(96)}schmidt${'y'.repeat(21)}`;
    expect([...password]).toHaveLength(passwordMaxLength);
    expect(failed({ password, ...anna })).toEqual(['not-name', 'not-email']);
    expect(failed({ password: password.replace('schmidt', 'schmidx'), ...anna })).toEqual([]);
  });

  it('looks at every character: the only digit at character 120 counts', () => {
    expect(failed({ password: `Aa-${'x'.repeat(117)}7` })).toEqual([]);
    expect(failed({ password: `Aa-${'x'.repeat(117)}x` })).toEqual(['digit']);
  });
});

describe('not the name (case- and accent-insensitive, parts of 3+ letters)', () => {
  it.each<[string, string, string | null, PolicyRuleId[]]>([
    ['the guide case', 'Anna.Schmidt1!', 'Anna Schmidt', ['not-name']],
    ['first name alone', 'Anna-Zähler7', 'Anna Schmidt', ['not-name']],
    ['with an accent in the password', 'Ánna-Zähler7', 'Anna Schmidt', ['not-name']],
    ['with an accent in the name', 'Anna-Zähler7', 'Ánna Schmidt', ['not-name']],
    ['in capitals', 'SCHMIDT-zähler7', 'Anna Schmidt', ['not-name']],
    ['in leetspeak', 'Schm1dt-Zähler', 'Anna Schmidt', ['not-name']],
    ['ß and ss alike', 'Weiss-Zähler7', 'Jörg Weiß', ['not-name']],
    ['umlaut folded to its base letter', 'Jorg-Zahler-7', 'Jörg Weiß', ['not-name']],
    ['a hyphenated name part', 'Zähler-Meyer7', 'Lena Müller-Meyer', ['not-name']],
    ['parts shorter than 3 letters are ignored', 'Zähler-Li-7', 'Li Wu', []],
    ['no name given', 'Anna.Schmidt1!', null, []],
    ['a name not in the password', 'Zähler-7Kiste', 'Anna Schmidt', []],
  ])('%s: %s for %s', (_case, password, name, rules) => {
    expect(failed({ password, name })).toEqual(rules);
  });
});

describe("not the e-mail's local part", () => {
  it.each<[string, string, string, PolicyRuleId[]]>([
    ['the whole local part', 'Kurt.Berger-7x', 'kurt.berger@example.com', ['not-email']],
    ['one part of the local part', 'Berger-Zähler7', 'kurt.berger@example.com', ['not-email']],
    ['split on underscore and plus', 'Zähler-Eks7!', 'kb_eks+test@example.com', ['not-email']],
    ['case- and accent-insensitive', 'BÉRGER-zähler7', 'kurt.berger@example.com', ['not-email']],
    ['parts shorter than 3 are ignored', 'Zähler-KB-7x', 'k.b@example.com', []],
    ['the domain is not a context word', 'Example-Zähler7', 'kurt@example.com', []],
  ])('%s: %s for %s', (_case, password, email, rules) => {
    expect(failed({ password, email })).toEqual(rules);
  });
});

describe('blocklist (zxcvbn-ts: common passwords, German and English common words)', () => {
  it('is loaded', () => {
    expect(isBlocklistLoaded()).toBe(true);
  });

  it.each<[string]>([
    ['Passw0rd!'],
    ['Password1!'],
    ['P@ssw0rd'],
    ['P4ssw0rd!'],
    ['Passwort1!'],
    ['Pa55wort1!'],
    ['Hallo123!'],
    ['!Hallo123'],
    ['Sommer2024!'],
    ['Schatz2023!'],
    ['Fußball1!'],
    ['Iloveyou1!'],
    ['Letmein1!'],
    ['Welcome1!'],
    ['Schmetterling1!'],
    ['Qwerty123!'],
  ])('rejects %s', (password) => {
    expect(failed({ password })).toEqual(['not-common']);
  });

  it.each<[string]>([['Zähler-Schlüssel 2026!'], ['K7#mQ2$pLx9!'], ['Tr0ub4dor&3'], ['Zu8472619305!'], ['Sommerwiese am Fluss 7!'], ['Mein Hund heißt Bello, 2026!']])(
    'accepts %s (a common word inside a longer password is fine)',
    (password) => {
      expect(failed({ password })).toEqual([]);
    },
  );

  it('applies to the NIST profile as well', () => {
    expect(failed({ password: 'password', profile: 'nist', hasSecondFactor: true })).toEqual(['not-common']);
    expect(failed({ password: '1qaz2wsx3edc4rfv', profile: 'nist' })).toEqual(['not-common']);
  });
});

describe('Unicode passphrases', () => {
  const passphrase = 'Ärger über Öl: 7 Äpfel für Ødegaard, 3 Birnen für Ἀθηνᾶ — ja!! 😀';
  it('accepts a 64-character Unicode passphrase that meets the rules', () => {
    expect([...passphrase]).toHaveLength(64);
    expect(evaluatePassword({ password: passphrase, profile: 'guide', ...anna }).ok).toBe(true);
    expect(evaluatePassword({ password: passphrase, profile: 'nist', ...anna }).ok).toBe(true);
  });

  it('accepts a lower-case passphrase under the NIST profile only', () => {
    const plain = 'über den wolken muss die freiheit wohl grenzenlos sein';
    expect(evaluatePassword({ password: plain, profile: 'nist' }).ok).toBe(true);
    expect(failed({ password: plain })).toEqual(['uppercase', 'digit']);
  });
});

describe('NIST SP 800-63B profile', () => {
  it.each<[string, string, boolean, PolicyRuleId[]]>([
    ['14 characters, no second factor', 'zählerkistenab', false, ['min-length']],
    ['15 characters, no second factor', 'zählerkistenabc', false, []],
    ['8 characters with a second factor', 'zählerab', true, []],
    ['7 characters with a second factor', 'zählera', true, ['min-length']],
    ['no composition rules', 'ganz kleine worte', false, []],
    ['129 characters', 'x'.repeat(129), false, ['max-length']],
    ['the name', 'annas lange zählerkiste', false, ['not-name']],
    ['the e-mail', 'kbergers lange zählerkiste', false, ['not-email']],
  ])('%s', (_case, password, hasSecondFactor, rules) => {
    expect(failed({ password, profile: 'nist', hasSecondFactor, name: 'Anna Schmidt', email: 'kberger@example.com' })).toEqual(rules);
  });

  it('lists only its own rules, with the minimum that applies', () => {
    const result = evaluatePassword({ password: '', profile: 'nist' });
    expect(result.rules.map((rule) => rule.id)).toEqual(['min-length', 'max-length', 'not-name', 'not-email', 'not-common']);
    expect(result.rules[0]).toEqual({ id: 'min-length', met: false, limit: 15 });
    expect(evaluatePassword({ password: '', profile: 'nist', hasSecondFactor: true }).rules[0]).toEqual({ id: 'min-length', met: false, limit: 8 });
  });
});
