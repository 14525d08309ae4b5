// The lists behind the 'not-common' rule (SEC-19: at least the top 3000 common passwords, German
// and English): zxcvbn-ts' common passwords (about 49,000) and the common words of its German
// (about 12,500) and English (about 56,000) packages. This module is only ever imported
// dynamically (index.ts, loadBlocklist), so the web UI loads it as a separate chunk when a policy
// box first appears, and the server at start-up. The files are imported one by one: the
// packages' index files would also pull in name, Wikipedia and keyboard lists (about 2 MB).
import commonPasswords from '@zxcvbn-ts/language-common/dist/passwords.json.mjs';
import germanWords from '@zxcvbn-ts/language-de/dist/commonWords.json.js';
import englishWords from '@zxcvbn-ts/language-en/dist/commonWords.json.mjs';

export const blocklistSources: readonly (readonly string[])[] = [commonPasswords, germanWords, englishWords];
