package dev.shadowshift.migration.flow;

import java.io.PrintStream;

/**
 * The runner of {@code ./shadowshift migrate}: the plan runs in the foreground, in this JVM, with the worker's own
 * execution and retry policy; tasks (cancel cleanup, swap back) run at once.
 */
public final class ForegroundRunner implements Runner {

    private final PrintStream err;
    private PlanExecution execution;
    private RetryPolicy retries;

    public ForegroundRunner(PrintStream err) {
        this.err = err;
    }

    /** Wired after the execution exists (the flow and the execution need each other's runner and engine). */
    public void use(PlanExecution execution, RetryPolicy retries) {
        this.execution = execution;
        this.retries = retries;
    }

    /** Nothing runs behind the caller's back: it calls {@link #runToEnd} for the plan it made. */
    @Override
    public void submit(String planId) {
    }

    @Override
    public void submitTask(String what, Task task) {
        try {
            task.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            err.println("shadowshift: " + what + " failed: " + e.getMessage());
        }
    }

    /**
     * Runs the plan until it ends: a transient failure is retried with the worker's backoff and budget, anything else
     * ends the plan FAILED with its objects removed.
     *
     * @throws PlanBusy another process owns the plan
     */
    public void runToEnd(String planId) throws PlanBusy, InterruptedException, java.sql.SQLException {
        while (true) {
            try {
                execution.run(planId);
                retries.succeeded(planId);
                return;
            } catch (PlanBusy | InterruptedException e) {
                throw e;
            } catch (Exception e) {
                RetryPolicy.Next next = retries.after(planId, e);
                if (!next.retry()) {
                    execution.giveUp(planId, next.reason());
                    return;
                }
                err.println("shadowshift | interrupted by " + next.cause() + " (" + next.reason() + "); retrying in "
                        + next.delay().toMillis() + "ms");
                Thread.sleep(next.delay().toMillis());
            }
        }
    }
}
