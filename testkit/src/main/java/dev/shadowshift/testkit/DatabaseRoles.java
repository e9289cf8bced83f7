package dev.shadowshift.testkit;

import org.postgresql.util.PasswordUtil;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The services' PostgreSQL roles, as {@code deploy/postgres/roles.sql} defines them (bundled into this jar at build
 * time, so the tests and a deployment share one definition): created once per server, and the ownership and grants
 * roles.sql gives the fixed databases of a deployment applied to each fresh state and target database instead.
 *
 * <p>Passwords are random per JVM, sent to the server only as SCRAM verifiers, never logged. They live in system
 * properties so that the several class loaders of a Quarkus test run share them.
 */
public final class DatabaseRoles {

    /** A service and the role it logs in as: {@code shadowshift_schema} for schema-service, and so on. */
    public enum Service {
        SCHEMA("schema-service"), MIGRATION("migration-worker"), BACKUP("backup-worker"), MONITOR("monitor-service");

        public final String module;

        Service(String module) {
            this.module = module;
        }

        /** The role name, which is also the name of its state database in a deployment. */
        public String role() {
            return "shadowshift_" + name().toLowerCase(Locale.ROOT);
        }

        /** roles.sql's psql variable for its password. */
        String passwordVariable() {
            return name().toLowerCase(Locale.ROOT) + "_password";
        }

        public static Service named(String module) {
            for (Service s : values()) {
                if (s.module.equals(module) || s.role().equals(module)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("no service " + module + "; one of schema-service, migration-worker, "
                    + "backup-worker, monitor-service");
        }
    }

    /** Who owns a target's tables in a deployment, so who must create the tests' fixtures there. */
    public static final Service TARGET_OWNER = Service.MIGRATION;

    static final String TARGET_DATABASE = "shadowshift_target";
    private static final String RESOURCE = "roles.sql";
    private static final String PASSWORD_PROP = "shadowshift.infra.pg.role-password.";
    private static final String CREATED_PROP = "shadowshift.infra.pg.roles-created";
    private static final Pattern VARIABLE = Pattern.compile(":'([a-z_]+)'");
    private static final Pattern DATABASE = Pattern.compile("\\bDATABASE\\s+(shadowshift_[a-z]+)\\b");
    private static final Pattern CREATE_ROLE = Pattern.compile("^CREATE ROLE (\\w+)");

    /** One statement of roles.sql, with the database it names (null: none) and whether it runs inside the target. */
    record Sql(String text, String database, boolean inTarget) {
    }

    private final PostgresServer server;
    private final List<Sql> statements;

    private DatabaseRoles(PostgresServer server, List<Sql> statements) {
        this.server = server;
        this.statements = statements;
    }

    /** The roles on this server, created (or their passwords reset) on the first call in this JVM. */
    static synchronized DatabaseRoles on(PostgresServer server) {
        DatabaseRoles roles = new DatabaseRoles(server, parse(bundled()));
        String key = server.host() + ":" + server.port();
        if (!key.equals(System.getProperty(CREATED_PROP))) {
            roles.create();
            System.setProperty(CREATED_PROP, key);
        }
        return roles;
    }

    /** This JVM's password of a service's role. */
    public static synchronized String password(Service service) {
        String value = System.getProperty(PASSWORD_PROP + service.role());
        if (value == null) {
            SecureRandom random = new SecureRandom();
            StringBuilder b = new StringBuilder();
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            for (int i = 0; i < 32; i++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            value = b.toString();
            System.setProperty(PASSWORD_PROP + service.role(), value);
        }
        return value;
    }

    /** Connects to a database of the shared server as a service's role. */
    public static Connection connect(Service service, String jdbcUrl) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", service.role());
        props.setProperty("password", password(service));
        return DriverManager.getConnection(jdbcUrl, props);
    }

    /** The service's role owns the database, and only it may connect, as roles.sql has it for its state database. */
    public void prepareStateDatabase(Service service, String database) {
        List<String> sql = new ArrayList<>();
        for (Sql s : statements) {
            if (!s.inTarget() && service.role().equals(s.database())) {
                sql.add(rename(s.text(), service.role(), database));
            }
        }
        run("postgres", sql);
    }

    /** What roles.sql does to shadowshift_target: the owner, the grants, and those inside the database. */
    public void prepareTargetDatabase(String database) {
        List<String> outside = new ArrayList<>();
        List<String> inside = new ArrayList<>();
        for (Sql s : statements) {
            if (s.inTarget()) {
                inside.add(s.text());
            } else if (TARGET_DATABASE.equals(s.database())) {
                outside.add(rename(s.text(), TARGET_DATABASE, database));
            }
        }
        run("postgres", outside);
        run(database, inside);
    }

    private void create() {
        try (Connection c = server.connect("postgres"); Statement st = c.createStatement()) {
            for (Sql s : statements) {
                if (s.inTarget() || s.database() != null) {
                    continue;
                }
                Matcher m = CREATE_ROLE.matcher(s.text());
                String role = m.find() ? m.group(1) : null;
                String text = withPasswords(s.text(), role);
                if (role != null && exists(c, role)) {
                    // a server named by SHADOWSHIFT_PG_URL may have them from an earlier run: same options, this
                    // JVM's password (test JVMs sharing one such server at the same time would reset each other's)
                    text = "ALTER" + text.substring("CREATE".length());
                }
                st.execute(text);
            }
        } catch (SQLException e) {
            // the message names the statement's position, never the password: it went as a SCRAM verifier
            throw new IllegalStateException("cannot create the services' roles (deploy/postgres/roles.sql) on "
                    + server.description() + ": " + e.getMessage(), e);
        }
    }

    private static boolean exists(Connection c, String role) throws SQLException {
        try (var ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, role);
            try (var rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private void run(String database, List<String> sql) {
        if (sql.isEmpty()) {
            return;
        }
        try (Connection c = server.connect(database); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot apply deploy/postgres/roles.sql to " + database + " on "
                    + server.description() + ": " + e.getMessage(), e);
        }
    }

    /** Replaces {@code :'x_password'} with the SCRAM verifier of the role's password, as a literal. */
    private static String withPasswords(String text, String role) throws SQLException {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Service service = null;
            for (Service s : Service.values()) {
                if (s.passwordVariable().equals(m.group(1))) {
                    service = s;
                }
            }
            if (service == null || !service.role().equals(role)) {
                throw new IllegalStateException("roles.sql: unexpected variable :'" + m.group(1) + "' in " + text);
            }
            // a verifier is base64 and '$', ':' - nothing to escape in a literal
            String verifier = PasswordUtil.encodePassword(role, password(service).toCharArray(), "scram-sha-256");
            m.appendReplacement(out, Matcher.quoteReplacement("'" + verifier + "'"));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The statement with {@code DATABASE from} naming {@code to} (a name we generated, checked by createDatabase). */
    private static String rename(String text, String from, String to) {
        if (!to.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("refusing database name " + to);
        }
        return text.replaceFirst("\\bDATABASE\\s+" + from + "\\b", "DATABASE " + to);
    }

    static String bundled() {
        try (InputStream in = DatabaseRoles.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the testkit jar lacks " + RESOURCE + " (copied from deploy/postgres at build time)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Statements end a line with ';'; psql meta-commands are skipped but for {@code \connect shadowshift_target},
     * after which every statement belongs in the target database. A statement names at most one database.
     */
    static List<Sql> parse(String script) {
        List<Sql> out = new ArrayList<>();
        boolean inTarget = false;
        StringBuilder current = new StringBuilder();
        for (String raw : script.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("--")) {
                continue;
            }
            if (line.startsWith("\\")) {
                if (line.startsWith("\\connect") || line.startsWith("\\c ")) {
                    String db = line.split("\\s+")[1];
                    if (!db.equals(TARGET_DATABASE)) {
                        throw new IllegalStateException("roles.sql connects to " + db + "; the testkit knows only " + TARGET_DATABASE);
                    }
                    inTarget = true;
                }
                continue;
            }
            current.append(current.length() == 0 ? "" : " ").append(line);
            if (line.endsWith(";")) {
                String text = current.substring(0, current.length() - 1);
                current.setLength(0);
                Matcher m = DATABASE.matcher(text);
                String database = m.find() ? m.group(1) : null;
                if (database != null && m.find()) {
                    throw new IllegalStateException("roles.sql: one database per statement, please: " + text);
                }
                out.add(new Sql(text, database, inTarget));
            }
        }
        if (current.length() > 0) {
            throw new IllegalStateException("roles.sql ends inside a statement: " + current);
        }
        return out;
    }
}
