package io.sparkvae.spark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver's private copy of the secret made by {@code submit-scripts/lib/submit.sh}: mode 600,
 * and gone after the script ends, even when the script was killed with SIGKILL (the next run
 * removes it). The scripts run from a copy of the project's folder with a stand-in {@code
 * spark-submit} that reports on the properties file it is given: no Spark, no build needed.
 */
class SubmitSecretTest {
  @TempDir Path home;
  @TempDir Path tmpdir;

  @BeforeEach
  void copyScripts() throws IOException {
    Path project = Scripts.projectDir();
    for (String f :
        List.of(
            "submit-scripts/train.sh",
            "submit-scripts/env.sh",
            "submit-scripts/lib/submit.sh",
            "submit-scripts/lib/auth.sh",
            "conf/spark-defaults.conf")) {
      Files.createDirectories(home.resolve(f).getParent());
      Files.copy(project.resolve(f), home.resolve(f));
    }
    Files.createDirectories(home.resolve("spark-job/target"));
    Files.createFile(home.resolve("spark-job/target/spark-job-0-app.jar"));
    Path submit = home.resolve("spark/bin/spark-submit");
    Files.createDirectories(submit.getParent());
    // Prints the mode of the --properties-file it is given; "die" kills the calling script with
    // SIGKILL.
    Files.writeString(
        submit,
        """
        #!/usr/bin/env bash
        while [ $# -gt 0 ]; do
          if [ "$1" = --properties-file ]; then echo "mode $(stat -c %a "$2") of $2"; fi
          if [ "$1" = die ]; then kill -9 $PPID; fi
          shift
        done
        """);
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwx------"));
  }

  String run(String... jobArgs) throws IOException, InterruptedException {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of("bash", home.resolve("submit-scripts/train.sh").toString(), "--"));
    cmd.addAll(List.of(jobArgs));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("SPARK_HOME", home.resolve("spark").toString());
    pb.environment().put("TMPDIR", tmpdir.toString());
    pb.environment().put("SPARKVAE_AUTH_SECRET", "s3cret");
    pb.environment().remove("SPARKVAE_AUTH_SECRET_FILE");
    Process p = pb.start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the script ended");
    return out;
  }

  List<String> leftovers() throws IOException {
    try (Stream<Path> s = Files.list(tmpdir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("sparkvae-auth."))
          .toList();
    }
  }

  @Test
  void theSecretCopyIsPrivateAndRemovedEvenAfterTheScriptWasKilled() throws Exception {
    String out = run("--epochs", "1");
    assertTrue(out.startsWith("mode 600 of " + tmpdir + "/sparkvae-auth."), out);
    assertEquals(List.of(), leftovers(), "removed when the script ends");

    run("die");
    assertEquals(
        1, leftovers().size(), "a script killed with SIGKILL cannot remove it: " + leftovers());
    out = run("--epochs", "1");
    assertTrue(out.startsWith("mode 600 of "), out);
    assertEquals(List.of(), leftovers(), "the next run removed the copy of the killed one");
  }
}
