import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.solr.core.CoreContainer;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Runs a real standalone Solr 9 server on 127.0.0.1, context /solr, for CKAN.
 *
 * <p>Usage: {@code SolrLauncher <solr-home> <port> <core>...}. JettySolrRunner swallows core
 * load failures, so this launcher checks every expected core itself and exits non-zero (after
 * printing why) when one is missing; the start script relies on that to fail loudly.
 */
public final class SolrLauncher {
  private SolrLauncher() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      die(2, "usage: SolrLauncher <solr-home> <port> <core>...");
    }
    Path home = Path.of(args[0]).toAbsolutePath().normalize();
    int port = Integer.parseInt(args[1]);
    List<String> cores = Arrays.asList(args).subList(2, args.length);
    if (!Files.isRegularFile(home.resolve("solr.xml"))) {
      die(1, "SOLR_FAILED no solr.xml in " + home);
    }

    JettyConfig config =
        JettyConfig.builder()
            .setPort(port)
            .setContext("/solr")
            .withPortRetryTime(0) // fail at once on a taken port instead of retrying for 60 s
            .waitForLoadingCoresToFinish(120_000L)
            .stopAtShutdown(true) // SIGTERM closes the cores cleanly
            .build();
    JettySolrRunner jetty = new JettySolrRunner(home.toString(), config);
    try {
      jetty.start();
    } catch (Exception e) {
      die(1, "SOLR_FAILED could not start on 127.0.0.1:" + port + ": " + e);
    }

    CoreContainer container = jetty.getCoreContainer();
    if (container == null) {
      stopAndDie(jetty, "SOLR_FAILED the core container did not start; see the Solr log");
    }
    Map<String, CoreContainer.CoreLoadFailure> failures = container.getCoreInitFailures();
    if (!failures.isEmpty()) {
      failures.forEach(
          (name, failure) ->
              System.err.println("SOLR_FAILED core " + name + ": " + rootCause(failure.exception)));
      stopAndDie(jetty, "SOLR_FAILED " + failures.size() + " core(s) failed to load");
    }
    for (String core : cores) {
      if (!container.getLoadedCoreNames().contains(core)) {
        stopAndDie(jetty, "SOLR_FAILED core not loaded: " + core);
      }
    }
    System.out.println("SOLR_READY http://127.0.0.1:" + jetty.getLocalPort() + "/solr " + cores);
    System.out.flush();
    Thread.currentThread().join();
  }

  private static String rootCause(Throwable t) {
    Throwable cause = t;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return t + (cause == t ? "" : " (cause: " + cause + ")");
  }

  private static void stopAndDie(JettySolrRunner jetty, String message) throws Exception {
    System.err.println(message);
    System.err.flush();
    jetty.stop();
    System.exit(1);
  }

  private static void die(int code, String message) {
    System.err.println(message);
    System.exit(code);
  }
}
