import type { Executor } from '../../db/database.js';
import type { NewUser, UserRow, UserUpdate } from '../../db/schema.js';

export function createUsersRepo(db: Executor) {
  return {
    findByEmail(email: string, trx: Executor = db): Promise<UserRow | undefined> {
      return trx.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
    },
    findById(id: string, trx: Executor = db): Promise<UserRow | undefined> {
      return trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async insert(user: NewUser, trx: Executor = db): Promise<void> {
      await trx.insertInto('users').values(user).execute();
    },
    async update(id: string, changes: UserUpdate, trx: Executor = db): Promise<void> {
      await trx.updateTable('users').set(changes).where('id', '=', id).execute();
    },
    /** Who hears of operator work (new superuser requests): the active operators. */
    listActiveOperators(trx: Executor = db): Promise<Array<Pick<UserRow, 'id' | 'email' | 'language'>>> {
      return trx.selectFrom('users').select(['id', 'email', 'language']).where('is_operator', '=', 1).where('status', '=', 'active').orderBy('email').execute();
    },
    async countActiveOperators(trx: Executor = db): Promise<number> {
      const row = await trx
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('is_operator', '=', 1)
        .where('status', '=', 'active')
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export type UsersRepo = ReturnType<typeof createUsersRepo>;
