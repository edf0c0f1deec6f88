import { stopOnSignals } from '@cartograph/shared';
import { __name__ConfigFromEnv, loadEnv } from './env.js';
import { create__Name__Service } from './service.js';

const service = await create__Name__Service(__name__ConfigFromEnv(loadEnv()));
await service.start();
stopOnSignals(service.logger, service.stop);
