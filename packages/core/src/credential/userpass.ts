import { KeyedLock } from '../util/keyed-lock.js';
import { InvalidRequestError } from '../errors.js';
import type { FieldData, FieldSchemas } from '../framework/field.js';
import { FrameworkBackend } from '../framework/framework-backend.js';
import { GENERIC_NAME } from '../framework/path.js';
import type { BackendContext, LogicalBackend } from '../logical/backend.js';
import type { Auth, Request, Response } from '../logical/request.js';
import { hashPassword, importPasswordHash, verifyPassword } from './userpass-password.js';
import { TOKEN_FIELDS, applyPolicies, applyTokenFields, renewedAuth, samePolicies } from './token-fields.js';
import { UserStore, loginAuth, newUser, userData, type UserEntry } from './userpass-user.js';
import { BoundedQueue } from '../util/bounded-queue.js';

const HELP = `
The "userpass" credential provider allows authentication using a combination
of a username and password. No additional factors are supported.

The username/password combination is configured using the "users/" endpoints
by a user with root access. Authentication is then done by supplying the two
fields for "login".
`;

/** The one answer to a failed login, whether the user is unknown or the password wrong. */
const INVALID_CREDENTIALS = 'invalid username or password';

const USERNAME: FieldSchemas = { username: { type: 'lowercase-string', description: 'Username of the user.', required: true } };
const PASSWORD = { type: 'string', description: 'Password of the user.' } as const;

/**
 * Vault's userpass auth method: users with a password (stored as an scrypt hash) and token settings, and an
 * unauthenticated `login/<username>` whose `auth` block the core turns into a token.
 */
export async function userpassFactory(ctx: BackendContext): Promise<LogicalBackend> {
  const users = new UserStore(ctx.storage);
  // Read-modify-write of one user (password change racing a policy change) must not lose either update.
  const locks = new KeyedLock();
  // Each login costs a 32 MiB scrypt run on the thread pool: a few at a time, a bounded line behind them.
  const logins = new BoundedQueue(2, 64);

  const writeUser = async (req: Request, d: FieldData): Promise<Response | null> => {
    const username = d.getString('username');
    const password = d.getString('password');
    if (d.has('password') && d.has('password_hash')) throw new InvalidRequestError('only one of "password" or "password_hash" can be specified');
    return locks.run(username, async () => {
      const existing = await users.get(username);
      if (!existing && password === '' && d.getString('password_hash') === '') throw new InvalidRequestError('missing password');
      const user = existing ?? newUser();
      applyTokenFields(user, d);
      if (password !== '') user.password_hash = await hashPassword(password);
      else if (d.getString('password_hash') !== '') user.password_hash = importPasswordHash(d.getString('password_hash'));
      await users.put(username, user);
      return null;
    });
  };

  const readUser = async (_req: Request, d: FieldData): Promise<Response | null> => {
    const user = await users.get(d.getString('username'));
    return user ? { data: userData(user) } : null;
  };

  const deleteUser = async (_req: Request, d: FieldData): Promise<Response | null> => {
    const username = d.getString('username');
    await locks.run(username, () => users.delete(username));
    return null;
  };

  const listUsers = async (): Promise<Response | null> => {
    const keys = await users.list();
    return keys.length ? { data: { keys } } : null;
  };

  /** Changes one part of an existing user (`password` or `policies` sub-paths). */
  const updateExisting =
    (change: (user: UserEntry, d: FieldData) => Promise<void>) =>
    async (_req: Request, d: FieldData): Promise<Response | null> => {
      const username = d.getString('username');
      return locks.run(username, async () => {
        const user = await users.get(username);
        if (!user) throw new InvalidRequestError('username does not exist');
        await change(user, d);
        await users.put(username, user);
        return null;
      });
    };

  const setPassword = updateExisting(async (user, d) => {
    const password = d.getString('password');
    if (password === '') throw new InvalidRequestError('missing password');
    user.password_hash = await hashPassword(password);
  });

  const setPolicies = updateExisting(async (user, d) => applyPolicies(user, d));

  const login = async (_req: Request, d: FieldData): Promise<Response | null> => {
    const username = d.getString('username');
    const password = d.getString('password');
    if (password === '') throw new InvalidRequestError('missing password');
    const user = await users.get(username);
    // An unknown user still costs a hash, so timing does not tell which users exist.
    const ok = await logins.run(() => verifyPassword(password, user?.password_hash || null));
    if (!ok || !user) throw new InvalidRequestError(INVALID_CREDENTIALS);
    return { auth: loginAuth(username, user) };
  };

  /** A renewal goes through only while the user exists with the policies the token was issued with. */
  const renewAuth = async (_req: Request, auth: Auth): Promise<Response | null> => {
    const username = auth.metadata?.username;
    const user = username ? await users.get(username) : null;
    if (!username || !user) throw new InvalidRequestError('user no longer exists, not renewing');
    if (!samePolicies(user.token_policies, auth.policies)) throw new InvalidRequestError('policies have changed, not renewing');
    return { auth: renewedAuth(auth, user) };
  };

  return new FrameworkBackend({
    class: 'credential',
    help: HELP,
    specialPaths: { unauthenticated: ['login/*'] },
    renewAuth,
    paths: [
      {
        pattern: 'users/?',
        operations: { list: listUsers },
        helpSynopsis: 'List the existing users.',
      },
      {
        pattern: `users/${GENERIC_NAME('username')}/password`,
        fields: { ...USERNAME, password: PASSWORD },
        operations: { update: setPassword },
        helpSynopsis: 'Reset the password of an existing user.',
      },
      {
        pattern: `users/${GENERIC_NAME('username')}/policies`,
        fields: { ...USERNAME, token_policies: TOKEN_FIELDS.token_policies!, policies: TOKEN_FIELDS.policies! },
        operations: { update: setPolicies },
        helpSynopsis: 'Update the policies of an existing user.',
      },
      {
        pattern: `users/${GENERIC_NAME('username')}`,
        fields: {
          ...USERNAME,
          password: PASSWORD,
          password_hash: { type: 'string', description: 'An scrypt hash of the password, in PHC format, instead of the password.' },
          ...TOKEN_FIELDS,
        },
        operations: { read: readUser, create: writeUser, update: writeUser, delete: deleteUser },
        existenceCheck: async (_req, d) => (await users.get(d.getString('username'))) !== null,
        helpSynopsis: 'Manage users allowed to authenticate.',
        helpDescription: 'This endpoint allows you to create, read, update, and delete users that are allowed to authenticate.',
      },
      {
        pattern: `login/${GENERIC_NAME('username')}`,
        fields: { ...USERNAME, password: PASSWORD },
        operations: { update: login },
        helpSynopsis: 'Log in with a username and password.',
      },
    ],
  });
}
