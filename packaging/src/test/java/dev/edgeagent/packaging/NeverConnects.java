package dev.edgeagent.packaging;

/**
 * The main class of a stand-in agent release that starts and then never connects (SelfUpdateIT): it holds the
 * process alive, as a release hanging on a broker it cannot reach would, until the launcher's watchdog stops it.
 */
public final class NeverConnects {
    private NeverConnects() {}

    public static void main(String[] args) throws InterruptedException {
        System.out.println("stand-in agent release: started, never connecting");
        Thread.sleep(Long.MAX_VALUE);
    }
}
