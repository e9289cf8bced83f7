package dev.shadowshift.deploy;

import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a service consumes and produces on Kafka, read from its application.properties (SmallRye channels). */
record ServiceKafka(String service, Set<String> consumed, Set<String> groups, Set<String> deadLetterTopics,
                    Set<String> produced, Properties props) {

    private static final Pattern CHANNEL_KEY = Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.(.+)");

    static ServiceKafka of(String service) {
        Properties props = Repo.applicationProperties(service);
        Set<String> consumed = new TreeSet<>();
        Set<String> groups = new TreeSet<>();
        Set<String> dlq = new TreeSet<>();
        Set<String> produced = new TreeSet<>();
        for (String key : props.stringPropertyNames()) {
            Matcher m = CHANNEL_KEY.matcher(key);
            if (!m.matches()) {
                continue;
            }
            String value = props.getProperty(key).trim();
            boolean incoming = m.group(1).equals("incoming");
            switch (m.group(3)) {
                case "topic" -> (incoming ? consumed : produced).add(value);
                case "group.id" -> groups.add(value);
                case "dead-letter-queue.topic" -> dlq.add(value);
                default -> {
                }
            }
        }
        return new ServiceKafka(service, consumed, groups, dlq, produced, props);
    }

    /** The ACLs this service needs, as "type:name:Operation". */
    Set<String> neededAcls() {
        Set<String> acls = new TreeSet<>();
        groups.forEach(g -> acls.add("group:" + g + ":Read"));
        consumed.forEach(t -> acls.add("topic:" + t + ":Read"));
        produced.forEach(t -> acls.add("topic:" + t + ":Write"));
        deadLetterTopics.forEach(t -> acls.add("topic:" + t + ":Write"));
        return acls;
    }
}
