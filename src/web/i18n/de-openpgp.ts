import type { enOpenPgp } from './en-openpgp.js';

// Deutsche Texte des OpenPGP-Abschnitts im Profil (docs/downloads.md "OpenPGP"); dieselben Schlüssel wie en-openpgp.ts.
export const deOpenPgp: typeof enOpenPgp = {
  openPgpKey: {
    title: 'OpenPGP-Schlüssel',
    intro: 'Heruntergeladene Schlüssel können mit Ihrem öffentlichen OpenPGP-Schlüssel verschlüsselt werden: Nur Ihr privater Schlüssel öffnet sie (gpg --decrypt).',
    loading: 'Wird geladen …',
    none: 'Es ist kein OpenPGP-Schlüssel hinterlegt.',
    registered: 'Hinterlegt am {{date}}.',
    fingerprint: 'Fingerabdruck',
    algorithm: 'Verfahren',
    field: 'Öffentlicher Schlüssel (ASCII-Armor)',
    fieldHint: 'Fügen Sie die Ausgabe von gpg --armor --export IHRE-ADRESSE ein: Sie beginnt mit -----BEGIN PGP PUBLIC KEY BLOCK-----. Fügen Sie nie Ihren privaten Schlüssel ein.',
    required: 'Fügen Sie Ihren öffentlichen Schlüssel ein.',
    save: 'Schlüssel speichern',
    replace: 'Schlüssel ersetzen',
    saving: 'Wird gespeichert …',
    saved: 'Ihr OpenPGP-Schlüssel ist gespeichert.',
    remove: 'Schlüssel entfernen',
    removeTitle: 'OpenPGP-Schlüssel entfernen?',
    removeText: 'Downloads können dann nicht mehr mit ihm verschlüsselt werden.',
    cancel: 'Abbrechen',
    removed: 'Ihr OpenPGP-Schlüssel wurde entfernt.',
    reasons: {
      private: 'Das ist ein privater Schlüssel. Fügen Sie den öffentlichen Schlüssel ein; der private verlässt Ihren Rechner nie.',
      garbage: 'Das ist kein öffentlicher OpenPGP-Schlüssel im ASCII-Armor-Format.',
      signingOnly: 'Dieser Schlüssel kann nicht verschlüsseln (er hat keinen Verschlüsselungs-Unterschlüssel, z. B. ein reiner Signaturschlüssel).',
      expired: 'Dieser Schlüssel ist abgelaufen, widerrufen oder noch nicht gültig.',
      tooLong: 'Das ist zu lang für einen öffentlichen Schlüssel.',
    },
  },
};
