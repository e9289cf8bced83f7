package dev.shadowshift.contracts;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The ACL table in code is the one deploy/kubernetes grants and the README shows, and spec-changed has one writer. */
class KafkaAccessTest {

    @Test
    void theKafkaUsersGrantExactlyTheTable() throws Exception {
        String yaml = Files.readString(Path.of("..", "deploy", "kubernetes", "base", "kafka-users.yaml"));
        Set<String> deployed = new TreeSet<>();
        for (String doc : yaml.split("\n---")) {
            Matcher name = Pattern.compile("\\n  name: (\\S+)").matcher(doc);
            if (!name.find()) {
                continue;
            }
            Matcher acl = Pattern.compile("type: (topic|group), name: ([^,]+), patternType: literal\\}\\s+operations: \\[([^\\]]+)]")
                    .matcher(doc);
            while (acl.find()) {
                for (String op : acl.group(3).split(",\\s*")) {
                    deployed.add("User:" + name.group(1) + " " + acl.group(1) + " " + acl.group(2) + " " + op.toLowerCase(Locale.ROOT));
                }
            }
        }
        Set<String> table = KafkaAccess.GRANTS.stream().map(g -> g.principal() + " " + g.resource().name().toLowerCase(Locale.ROOT)
                + " " + g.name() + " " + g.operation().name().toLowerCase(Locale.ROOT)).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(table, deployed);
    }

    /** An operator copies the README's table into their own cluster: it must say what the code grants, no more. */
    @Test
    void theReadmeTableShowsExactlyTheGrants() throws Exception {
        Set<String> shown = new TreeSet<>();
        Pattern row = Pattern.compile("^\\| `(User:[^`]+)` \\|([^|]*)\\|([^|]*)\\|", Pattern.MULTILINE);
        Matcher m = row.matcher(Files.readString(Path.of("..", "README.md")));
        while (m.find()) {
            Set<String> read = new TreeSet<>();
            for (String op : List.of("read", "write")) {
                String cell = m.group(op.equals("read") ? 2 : 3);
                Matcher name = Pattern.compile("(group )?`([^`]+)`").matcher(cell);
                while (name.find()) {
                    String resource = name.group(1) == null ? "topic" : "group";
                    shown.add(m.group(1) + " " + resource + " " + name.group(2) + " " + op);
                    if (op.equals("read") && resource.equals("topic")) {
                        read.add(name.group(2));
                    }
                }
                if (cell.contains("the `.dlq` of each topic it reads")) {
                    read.forEach(t -> shown.add(m.group(1) + " topic " + t + ".dlq write"));
                }
            }
        }
        shown.removeIf(s -> s.endsWith(" .dlq write"));
        Set<String> table = KafkaAccess.GRANTS.stream().map(g -> g.principal() + " " + g.resource().name().toLowerCase(Locale.ROOT)
                + " " + g.name() + " " + g.operation().name().toLowerCase(Locale.ROOT)).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(table, shown, "README.md's Kafka ACL table against KafkaAccess.GRANTS");
    }

    @Test
    void specChangedAndTheGateTopicsHaveOneWriterEach() {
        for (var topic : List.of(Topics.SPEC_CHANGED, Topics.BACKUP_COMPLETED, Topics.MIGRATION_PLANNED, Topics.ALERTS)) {
            assertEquals(1, KafkaAccess.GRANTS.stream().filter(g -> g.name().equals(topic) && g.operation() == KafkaAccess.Operation.WRITE)
                    .count(), topic);
        }
        assertEquals(List.of(KafkaAccess.SCHEMA_SERVICE), KafkaAccess.GRANTS.stream()
                .filter(g -> g.name().equals(Topics.SPEC_CHANGED) && g.operation() == KafkaAccess.Operation.WRITE)
                .map(KafkaAccess.Grant::principal).toList());
    }
}
