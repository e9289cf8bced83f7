package dev.shadowshift.contracts;

import java.util.ArrayList;
import java.util.List;

/**
 * Who may do what on Kafka: one principal per service and exactly the ACLs its channels need (Read on what it
 * consumes and on its own consumer group, Write on what it produces and on the .dlq of each topic it consumes).
 * The one source of truth for the README's ACL table, deploy/kubernetes/base/kafka-users.yaml and the SASL test;
 * nobody may create topics, and only the owner of a topic may write it.
 */
public final class KafkaAccess {

    public enum Resource { TOPIC, GROUP }

    public enum Operation { READ, WRITE }

    /** @param principal {@code User:<service>}, as a SASL login maps to it */
    public record Grant(String principal, Resource resource, String name, Operation operation, String why) {
    }

    public static final String SCHEMA_SERVICE = "User:schema-service";
    public static final String MIGRATION_WORKER = "User:migration-worker";
    public static final String BACKUP_WORKER = "User:backup-worker";
    public static final String MONITOR_SERVICE = "User:monitor-service";
    /** An upstream system publishing its specs; give each publisher its own user like it, to revoke one alone. */
    public static final String SPEC_PUBLISHER = "User:spec-publisher";

    public static final List<Grant> GRANTS = build();

    private KafkaAccess() {
    }

    /** The grants of one principal. */
    public static List<Grant> of(String principal) {
        return GRANTS.stream().filter(g -> g.principal().equals(principal)).toList();
    }

    private static List<Grant> build() {
        List<Grant> g = new ArrayList<>();
        service(g, SCHEMA_SERVICE, "schema-service", List.of(Topics.SPEC_SUBMITTED), List.of(Topics.SPEC_CHANGED),
                "only it announces spec changes");
        service(g, MIGRATION_WORKER, "migration-worker",
                List.of(Topics.SPEC_CHANGED, Topics.BACKUP_COMPLETED, Topics.BACKUP_FAILED, Topics.ALERTS),
                List.of(Topics.MIGRATION_PLANNED, Topics.MIGRATION_PROGRESS),
                "only it plans and reports migrations; critical alerts throttle its backfills");
        service(g, BACKUP_WORKER, "backup-worker", List.of(Topics.MIGRATION_PLANNED, Topics.MIGRATION_PROGRESS),
                List.of(Topics.BACKUP_COMPLETED, Topics.BACKUP_FAILED), "only it may open a plan's backup gate");
        service(g, MONITOR_SERVICE, "monitor-service",
                List.of(Topics.MIGRATION_PROGRESS, Topics.MIGRATION_PLANNED, Topics.BACKUP_COMPLETED, Topics.BACKUP_FAILED),
                List.of(Topics.ALERTS), "only it raises alerts");
        g.add(new Grant(SPEC_PUBLISHER, Resource.TOPIC, Topics.SPEC_SUBMITTED, Operation.WRITE, "upstream systems submit specs"));
        return List.copyOf(g);
    }

    private static void service(List<Grant> g, String principal, String group, List<String> consumes, List<String> produces,
                                String why) {
        g.add(new Grant(principal, Resource.GROUP, group, Operation.READ, "its consumer group commits offsets"));
        for (String topic : consumes) {
            g.add(new Grant(principal, Resource.TOPIC, topic, Operation.READ, "consumes it"));
            g.add(new Grant(principal, Resource.TOPIC, topic + Topics.DEAD_LETTER_SUFFIX, Operation.WRITE, "dead letters of what it consumes"));
        }
        for (String topic : produces) {
            g.add(new Grant(principal, Resource.TOPIC, topic, Operation.WRITE, why));
        }
    }
}
