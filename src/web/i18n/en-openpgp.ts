// English texts of the profile's OpenPGP key section (docs/downloads.md "OpenPGP"). Merged into
// en.ts; de-openpgp.ts has the same keys.
export const enOpenPgp = {
  openPgpKey: {
    title: 'OpenPGP key',
    intro: 'Downloads of keys can be encrypted to your OpenPGP public key: only your private key opens them (gpg --decrypt).',
    loading: 'Loading…',
    none: 'No OpenPGP key is registered.',
    registered: 'Registered on {{date}}.',
    fingerprint: 'Fingerprint',
    algorithm: 'Algorithm',
    field: 'Public key (armored)',
    fieldHint: 'Paste the output of gpg --armor --export YOUR-ADDRESS: it starts with -----BEGIN PGP PUBLIC KEY BLOCK-----. Never paste your private key.',
    required: 'Paste your public key.',
    save: 'Save key',
    replace: 'Replace key',
    saving: 'Saving…',
    saved: 'Your OpenPGP key is saved.',
    remove: 'Remove key',
    removeTitle: 'Remove the OpenPGP key?',
    removeText: 'Downloads can then no longer be encrypted to it.',
    cancel: 'Cancel',
    removed: 'Your OpenPGP key was removed.',
    reasons: {
      private: 'This is a private key. Paste the public key; the private key never leaves your computer.',
      garbage: 'This is not an armored OpenPGP public key.',
      signingOnly: 'This key cannot encrypt (it has no encryption subkey, e.g. a signing-only key).',
      expired: 'This key is expired, revoked or not yet valid.',
      tooLong: 'This is too long for a public key.',
    },
  },
};
