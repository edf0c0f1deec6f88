import { badInput, conflict, notFound, requireViewer, unauthenticated } from '@cartograph/shared';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import type { Context } from '../context.js';
import { findCredentialsByEmail, insertUser, updateUser } from '../data/user-store.js';
import {
  checkPassword,
  hashPassword,
  normalizeEmail,
  normalizeName,
  verifyPassword,
} from '../domain/credentials.js';
import {
  endSession,
  rotateSession,
  startSession,
  type AuthPayloadRow,
} from '../domain/sessions.js';

const prismaCode = (error: unknown) => (error as { code?: string } | null)?.code;
const emailTaken = () => conflict('An account with this email already exists');

/** Records that the payload's user proved their identity in this request. */
function authenticated(context: Context, payload: AuthPayloadRow) {
  context.authenticatedUserIds.add(payload.user.id);
  return payload;
}

export const Mutation: MutationResolvers = {
  register: async (_parent, { input }, context) => {
    const { db, sessions, bcryptCost, registrationLimit, passwordHashGate, clientAddress } =
      context;
    const email = normalizeEmail(input.email);
    const name = normalizeName(input.name);
    const password = checkPassword(input.password);
    const passwordHash = await passwordHashGate.run(clientAddress, async () => {
      await registrationLimit.attempt(clientAddress);
      return hashPassword(password, bcryptCost);
    });
    const user = await insertUser(db, { email, name, passwordHash }).catch((error: unknown) => {
      throw prismaCode(error) === 'P2002' ? emailTaken() : error;
    });
    return authenticated(context, await startSession(db, user, sessions));
  },

  login: async (_parent, { input }, context) => {
    const { db, sessions, bcryptCost, loginThrottle, passwordHashGate, clientAddress } = context;
    // One message for every failure, so login never tells which emails have accounts.
    const failed = () => unauthenticated('Invalid email or password');
    const email = input.email.trim().toLowerCase();
    const found = await passwordHashGate.run(clientAddress, async () => {
      // Before the lookup: known and unknown emails count and lock out alike, and a refusal
      // costs no query and no bcrypt, so it tells nothing about the account or the password.
      await loginThrottle.attempt(email, clientAddress);
      const stored = email.length <= 254 ? await findCredentialsByEmail(db, email) : null;
      const ok = await verifyPassword(input.password, stored?.passwordHash ?? null, bcryptCost);
      return ok ? stored : null;
    });
    if (!found) {
      await loginThrottle.failed(clientAddress);
      throw failed();
    }
    await loginThrottle.succeeded(email, clientAddress);
    const { passwordHash: _hash, ...user } = found;
    return authenticated(context, await startSession(db, user, sessions));
  },

  refreshToken: async (_parent, { refreshToken }, context) =>
    authenticated(context, await rotateSession(context.db, refreshToken, context.sessions)),

  logout: (_parent, { refreshToken }, { db }) => endSession(db, refreshToken),

  updateProfile: async (_parent, { input }, { viewer, db }) => {
    const caller = requireViewer(viewer);
    if (input.name == null && input.email == null) {
      throw badInput('input', 'give a name, an email or both');
    }
    const changes = {
      ...(input.name != null && { name: normalizeName(input.name) }),
      ...(input.email != null && { email: normalizeEmail(input.email) }),
    };
    return updateUser(db, caller.id, changes).catch((error: unknown) => {
      if (prismaCode(error) === 'P2002') throw emailTaken();
      // A valid token can outlive its account by up to its lifetime.
      if (prismaCode(error) === 'P2025') throw notFound('User');
      throw error;
    });
  },
};
