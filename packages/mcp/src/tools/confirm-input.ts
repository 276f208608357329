import { z } from 'zod';

export const confirmInput = z
  .boolean()
  .optional()
  .describe(
    'Sends nothing by itself. Clients that can ask the person (elicitation) are asked, and this is ignored; ' +
      'otherwise the draft waits for a person’s approval outside this conversation. Only a server started ' +
      'with --unsafe-model-confirms sends on confirm: true — pass it then only after the person agreed.',
  );

export const outcomeShape = z
  .enum(['sent', 'dryRun', 'maybeSent', 'notSent', 'refused', 'waitingForApproval', 'approved', 'discarded'])
  .describe(
    'maybeSent: the outcome is unknown, it may have reached the buyer; look before doing anything. ' +
      'waitingForApproval: nothing sent, a person decides; approved: a person approved it and it is being ' +
      'sent; discarded: a person refused it.',
  );
