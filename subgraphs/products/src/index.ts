import { stopOnSignals } from '@cartograph/shared';
import { loadEnv, productsConfigFromEnv } from './env.js';
import { createProductsService } from './service.js';

const service = await createProductsService(productsConfigFromEnv(loadEnv()));
await service.start();
stopOnSignals(service.logger, service.stop);
