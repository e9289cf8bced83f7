package dev.shadowshift.cli;

import dev.shadowshift.localstack.LocalStack;
import dev.shadowshift.security.LocalKeyPair;
import dev.shadowshift.security.Roles;
import dev.shadowshift.security.Tokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** A bearer token for the services of {@code ./shadowshift up}, signed with the key it made under .shadowshift/jwt/. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = {"Print a bearer token that the services of ./shadowshift up accept, for curl or SHADOWSHIFT_TOKEN:",
                "  export SHADOWSHIFT_TOKEN=$(./shadowshift token --role=operator)",
                "  curl -H \"Authorization: Bearer $SHADOWSHIFT_TOKEN\" ...",
                "Roles: publisher registers specs; operator approves, pauses, resumes, cancels and rolls back migrations, makes, "
                        + "verifies, pins and restores backups, and silences alerts; viewer reads where reads are protected. "
                        + "A deployment with its own OIDC issuer gets its tokens from there instead."},
        footer = {"", "Exit codes: 0 printed, 1 no key yet (start ./shadowshift up once), 2 invalid input."})
final class TokenCommand implements Callable<Integer> {

    @Option(names = "--role", required = true, split = ",", paramLabel = "publisher|operator|viewer",
            description = "the role(s) the token carries; repeat or separate with commas")
    List<String> roles;

    @Option(names = "--ttl", defaultValue = "1h", converter = Durations.class, description = "how long it is valid; default 1h")
    Duration ttl;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() {
        List<String> granted = new ArrayList<>();
        try {
            for (String r : roles) {
                String role = Roles.parse(r);
                if (!granted.contains(role)) {
                    granted.add(role);
                }
            }
        } catch (IllegalArgumentException e) {
            command.commandLine().getErr().println("shadowshift: --role: " + e.getMessage());
            return Shadowshift.INVALID_INPUT;
        }
        Path folder = LocalStack.keyFolder(Shadowshift.home().resolve(".shadowshift"));
        LocalKeyPair keys;
        try {
            keys = LocalKeyPair.load(folder);
        } catch (IOException e) {
            command.commandLine().getErr().println("shadowshift: " + e.getMessage());
            return Shadowshift.FAILED;
        }
        command.commandLine().getOut().println(Tokens.sign(keys.privateKey(), Tokens.LOCAL_ISSUER, Tokens.AUDIENCE,
                System.getProperty("user.name", "shadowshift"), granted, ttl));
        return Shadowshift.OK;
    }
}
