package pipecgi;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium, driven through Debian's chromedriver: never a downloaded browser.
 * It runs the scenarios of src/test/js/scenarios.js in a page of the server under test.
 */
final class Browser implements AutoCloseable {
  /** What Chromium needs here: as root, without a GPU, and without reaching for the internet. */
  private static final List<String> FLAGS = List.of(
      "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-dev-shm-usage",
      // A page in the background (the second chat member) keeps its timers running.
      "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
      "--disable-backgrounding-occluded-windows");

  private static final String RUN_SCENARIO = "const [name, args, done] = arguments;"
      + " import('/scenarios.js').then((m) => m[name](args))"
      + ".then(done, (e) => done({exception: String(e && e.stack || e)}));";

  /**
   * Selenium looks for a DevTools (CDP) module matching the browser's version whenever it starts a
   * driver, and logs a warning when there is none. These tests need none (they drive the page
   * through WebDriver only, and no selenium-devtools module is a dependency), so that logger's
   * warnings say nothing a reader of the test output must judge: only its errors are shown. Held
   * here, because java.util.logging forgets the level of a logger nobody references.
   */
  private static final Logger CDP_VERSION_FINDER =
      Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  static {
    CDP_VERSION_FINDER.setLevel(Level.SEVERE);
  }

  final ChromeDriver driver;
  /** The browser's HOME and TMPDIR: its profile, sockets and crash database, gone on close. */
  private final Path home;

  private Browser(ChromeDriver driver, Path home) {
    this.driver = driver;
    this.home = home;
  }

  static Browser start() throws IOException {
    return start(List.of());
  }

  /** A browser with more flags, such as a proxy to go through (--proxy-server). */
  static Browser start(List<String> moreFlags) throws IOException {
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(FLAGS);
    options.addArguments(moreFlags);
    Path home = Files.createTempDirectory("pipecgi-browser-");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File("/usr/bin/chromedriver"))
        .usingAnyFreePort()
        .withEnvironment(Map.of("HOME", home.toString(), "TMPDIR", home.toString()))
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofMinutes(5));
    return new Browser(driver, home);
  }

  void open(URI page) {
    driver.get(page.toString());
  }

  /** Runs a scenario in the open page and returns what it resolved to. */
  Object run(String scenario, Map<String, Object> args) {
    Object result = driver.executeAsyncScript(RUN_SCENARIO, scenario, args);
    if (result instanceof Map<?, ?> m && m.containsKey("exception")) {
      throw new AssertionError(scenario + " failed in the page: " + m.get("exception"));
    }
    return result;
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> runForMap(String scenario, Map<String, Object> args) {
    return (Map<String, Object>) run(scenario, args);
  }

  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      Launch.deleteTree(home);
    }
  }
}
