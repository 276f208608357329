import { z } from 'zod';

export const confirmInput = z
  .boolean()
  .optional()
  .describe(
    'true only after the person saw exactly what will be sent and agreed. Clients that can ask the person ' +
      'themselves (elicitation) are asked instead, and this argument is ignored.',
  );

export const outcomeShape = z
  .enum(['sent', 'dryRun', 'maybeSent', 'notSent', 'refused'])
  .describe('maybeSent: the outcome is unknown, it may have reached the buyer; look before doing anything');
