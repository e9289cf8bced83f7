package dev.shadowshift.monitor.rules;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's rule table is what users configure from: every rule, with its real defaults and extra keys. */
class ReadmeRulesTest {

    @Test
    void theReadmeListsEveryRuleWithItsDefaultsAndKeys() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("..", "README.md"));
        for (Rule r : Rule.values()) {
            String row = lines.stream().filter(l -> l.startsWith("| `" + r.alertname() + "` |")).findFirst()
                    .orElseThrow(() -> new AssertionError("README has no row for " + r.alertname()));
            String[] cells = row.split("\\|");
            assertTrue(cells[4].contains(r.defaultWarning == null ? "-" : "`" + r.defaultWarning + "`"), row);
            assertTrue(cells[5].contains(r.defaultCritical == null ? "-" : "`" + r.defaultCritical + "`"), row);
            assertTrue(cells[6].contains("`" + r.defaultFor + "`"), row);
            for (RuleBook.Extra e : RuleBook.EXTRAS.getOrDefault(r, List.of())) {
                assertTrue(cells[7].contains("`" + e.name() + "` " + e.defaultValue()), row);
            }
        }
    }
}
