package dev.airlock.cli;

import dev.airlock.core.crypto.KeyAlgorithm;
import dev.airlock.core.crypto.KeyFiles;
import dev.airlock.core.crypto.SigningKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

@Command(name = "keys", mixinStandardHelpOptions = true, description = "Create signing keys.",
        subcommands = KeysCommand.Generate.class)
final class KeysCommand extends Group {

    @Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Generate a key pair: DIR/ID.key.pem (PKCS#8, mode 0600, never overwritten) and "
                    + "DIR/ID.pub.pem (SubjectPublicKeyInfo).",
                    "Prints {\"id\", \"algorithm\", \"keyid\", \"privateKey\", \"publicKey\"}; keyid is the lowercase hex "
                            + "SHA-256 of the public key's DER."})
    static final class Generate extends Leaf {
        /** File-name safe: the id becomes part of two file names, so no '/' and no leading dot. */
        private static final Pattern FILE_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$");

        @Option(names = "--id", required = true, paramLabel = "ID",
                description = "Name of the key, usually the principal id (alice, fleet.dependency-bump, root-1).")
        String id;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the two files (created if missing).")
        Path out;

        @Option(names = "--alg", paramLabel = "ALG", defaultValue = "ed25519", converter = Converters.Algorithm.class,
                completionCandidates = Converters.Algorithms.class,
                description = "ed25519 (default) or p256 (ECDSA P-256/SHA-256, for PIV/HSM keys).")
        KeyAlgorithm alg;

        @Override
        int execute() throws CliException {
            if (!FILE_ID.matcher(id).matches()) {
                throw new CliException("--id '" + id + "' must be 1-128 characters of [A-Za-z0-9._@+-] starting with "
                        + "a letter or digit (it names the key files)");
            }
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new CliException("--out '" + out + "' exists and is not a directory");
            }
            Path priv = KeyFiles.privateKeyPath(out, id);
            Path pub = KeyFiles.publicKeyPath(out, id);
            for (Path p : new Path[] {priv, pub}) {
                if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    throw new CliException("'" + p + "' already exists; refusing to overwrite a key "
                            + "(choose another --id or --out)");
                }
            }
            SigningKey key = SigningKey.generate(alg);
            try {
                KeyFiles.write(out, id, key);
            } catch (FileAlreadyExistsException e) {
                throw new CliException("'" + priv + "' already exists; refusing to overwrite a key", e);
            } catch (IOException e) {
                throw new CliException("cannot write the key files in '" + out + "': " + Io.describe(e), e);
            }
            progress("generated %s key '%s' (keyid %s)", alg.cliName(), id, key.keyid());
            progress("  private key %s (mode 0600): keep it with its owner, never copy it into a policy or a repository", priv);
            progress("  public key  %s: goes into the policy", pub);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", id);
            r.put("algorithm", alg.cliName());
            r.put("keyid", key.keyid());
            r.put("privateKey", priv.toString());
            r.put("publicKey", pub.toString());
            result(r);
            return ExitCodes.OK;
        }
    }
}
