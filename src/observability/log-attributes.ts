// Adds the step an activity works for to every log line it writes: activities receive `runId` (the
// run's workflow id) and `stepId` in their input; Temporal already adds workflowId, runId and
// activityType.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/** The activity interceptor that tags log lines (and custom metrics) with the step id. */
export const stepLogAttributes: ActivityInterceptorsFactory = () => {
  let stepId: string | undefined;
  return {
    inbound: {
      async execute(input, next) {
        const first: unknown = input.args[0];
        if (typeof first === 'object' && first !== null && typeof (first as { stepId?: unknown }).stepId === 'string') {
          stepId = (first as { stepId: string }).stepId;
        }
        return next(input);
      },
    },
    outbound: {
      getLogAttributes(attributes, next) {
        return next(stepId === undefined ? attributes : { ...attributes, stepId });
      },
    },
  };
};
