import type { Executor } from '../../db/database.js';

export function createMfaRepo(db: Executor) {
  return {
    async hasConfirmedTotp(userId: string, trx: Executor = db): Promise<boolean> {
      const row = await trx.selectFrom('mfa_totp').select('user_id').where('user_id', '=', userId).where('confirmed_at', 'is not', null).executeTakeFirst();
      return row !== undefined;
    },

    findTotp(userId: string, trx: Executor = db) {
      return trx.selectFrom('mfa_totp').selectAll().where('user_id', '=', userId).executeTakeFirst();
    },

    /** Replaces an unconfirmed seed (a new enrolment invalidates the previous QR code); false if a confirmed one exists. */
    async putPendingTotp(row: { userId: string; secretCiphertext: string; createdAt: string }, trx: Executor = db): Promise<boolean> {
      const existing = await trx.selectFrom('mfa_totp').select('confirmed_at').where('user_id', '=', row.userId).executeTakeFirst();
      if (existing?.confirmed_at != null) return false;
      if (existing) await trx.deleteFrom('mfa_totp').where('user_id', '=', row.userId).where('confirmed_at', 'is', null).execute();
      await trx.insertInto('mfa_totp').values({ user_id: row.userId, secret_ciphertext: row.secretCiphertext, confirmed_at: null, last_step: null, created_at: row.createdAt }).execute();
      return true;
    },

    /** Confirms the pending seed whose code matched at `step`: false if there is none any more (confirmed meanwhile). */
    async confirmTotp(userId: string, secretCiphertext: string, at: string, step: number, trx: Executor = db): Promise<boolean> {
      const result = await trx
        .updateTable('mfa_totp')
        .set({ confirmed_at: at, last_step: step })
        .where('user_id', '=', userId)
        .where('secret_ciphertext', '=', secretCiphertext)
        .where('confirmed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Accepts a code's time step once: false when this or a later step was already used (replay). */
    async claimStep(userId: string, step: number, trx: Executor = db): Promise<boolean> {
      const result = await trx
        .updateTable('mfa_totp')
        .set({ last_step: step })
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is not', null)
        .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async deleteTotp(userId: string, trx: Executor = db): Promise<void> {
      await trx.deleteFrom('mfa_totp').where('user_id', '=', userId).execute();
    },

    async replaceRecoveryCodes(userId: string, codes: { id: string; codeHash: string }[], at: string, trx: Executor = db): Promise<void> {
      await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
      if (codes.length === 0) return;
      await trx
        .insertInto('mfa_recovery_codes')
        .values(codes.map((c) => ({ id: c.id, user_id: userId, code_hash: c.codeHash, used_at: null, created_at: at })))
        .execute();
    },

    /** Uses up one recovery code: false when it is unknown or was used before. */
    async consumeRecoveryCode(userId: string, codeHash: string, at: string, trx: Executor = db): Promise<boolean> {
      const result = await trx
        .updateTable('mfa_recovery_codes')
        .set({ used_at: at })
        .where('user_id', '=', userId)
        .where('code_hash', '=', codeHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async countUnusedRecoveryCodes(userId: string, trx: Executor = db): Promise<number> {
      const row = await trx
        .selectFrom('mfa_recovery_codes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export type MfaRepo = ReturnType<typeof createMfaRepo>;
