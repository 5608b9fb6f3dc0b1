package io.jrunc.shim;

/** The shim with {@link FakeShimRuntime}, run as a separate process by {@link ShimProcessTest}. */
public final class ShimTestMain {
    private ShimTestMain() {}

    public static void main(String[] args) {
        Shim.main(args, new FakeShimRuntime());
    }
}
