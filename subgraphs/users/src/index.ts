import { stopOnSignals } from '@cartograph/shared';
import { loadEnv, usersConfigFromEnv } from './env.js';
import { createUsersService } from './service.js';

const service = await createUsersService(usersConfigFromEnv(loadEnv()));
await service.start();
stopOnSignals(service.logger, service.stop);
