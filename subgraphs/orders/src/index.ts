import { stopOnSignals } from '@cartograph/shared';
import { loadEnv, ordersConfigFromEnv } from './env.js';
import { createOrdersService } from './service.js';

const service = await createOrdersService(ordersConfigFromEnv(loadEnv()));
await service.start();
stopOnSignals(service.logger, service.stop);
