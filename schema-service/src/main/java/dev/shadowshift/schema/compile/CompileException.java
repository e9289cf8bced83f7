package dev.shadowshift.schema.compile;

import java.util.List;

/** The spec parses but cannot become tables; each problem names the schema and property it is about. */
public class CompileException extends RuntimeException {

    private final List<String> problems;

    public CompileException(List<String> problems) {
        super(String.join("; ", problems.size() > 20 ? problems.subList(0, 20) : problems)
                + (problems.size() > 20 ? "; and " + (problems.size() - 20) + " more" : ""));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
