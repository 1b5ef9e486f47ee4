// The accelerator's route table.

import { Router } from '../http/router.js';
import type { ApiContext } from './context.js';
import { addMessageRoutes } from './messages.js';
import { addQueueRoutes } from './queues.js';
import { addStatusRoutes } from './status.js';

export function createApiRouter(context: ApiContext): Router {
  const router = new Router();
  addStatusRoutes(router, context);
  addQueueRoutes(router, context);
  addMessageRoutes(router, context);
  return router;
}
