package dev.shadowshift.migration.flow;

/** Runs plans the flow found runnable: on a background thread in the worker, in the foreground in the CLI. */
public interface Runner {

    /** The plan may run now; running it twice is harmless (it re-checks its state and takes its lock). */
    void submit(String planId);

    /** Work other than a plan run (cancel cleanup, swap back), serialised with the runs. */
    void submitTask(String what, Task task);

    interface Task {
        void run() throws Exception;
    }
}
