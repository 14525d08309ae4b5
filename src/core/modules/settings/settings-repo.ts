import type { Executor } from '../../db/database.js';

/** Service-wide settings: one row per name, the value as text. */
export function createSettingsRepo(db: Executor) {
  return {
    async get(name: string, trx: Executor = db): Promise<string | undefined> {
      const row = await trx.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst();
      return row?.value;
    },
    async put(row: { name: string; value: string; updatedAt: string }, trx: Executor = db): Promise<void> {
      await trx
        .insertInto('settings')
        .values({ name: row.name, value: row.value, updated_at: row.updatedAt })
        .onConflict((conflict) => conflict.column('name').doUpdateSet({ value: row.value, updated_at: row.updatedAt }))
        .execute();
    },
  };
}

export type SettingsRepo = ReturnType<typeof createSettingsRepo>;
