package dev.shadowshift.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the real-world specs the tests read live: {@code shared/specs} beside the checkout. The nearest ancestor of
 * the working directory that holds one wins, so a module's tests find it from a checkout at {@code work/main} as
 * well as from a git worktree one level deeper ({@code work/wt/<branch>}).
 */
public final class SharedSpecs {

    private SharedSpecs() {
    }

    /** The directory; if no ancestor has one, {@code ../../shared/specs} from a module, for the tests to report. */
    public static Path dir() {
        Path cwd = Path.of("").toAbsolutePath().normalize();
        for (Path p = cwd; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("specs");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return cwd.resolve("../../shared/specs").normalize();
    }
}
