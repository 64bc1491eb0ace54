package io.harborai.worker.testinfra;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Stops a client at a chosen call the way killing the process would, from the test side: the
 * test wraps a collaborator (a Kafka consumer or producer) so that one call throws {@link Killed}
 * instead of (or after) reaching the real client. Production classes carry no crash hooks.
 */
public final class Kill {
    private Kill() {}

    /** Thrown where the process "died"; nothing after it ran. */
    public static final class Killed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Killed(String message) {
            super(message);
        }
    }

    /** One call on the wrapped client: decide, call {@code proceed}, look at the result. */
    @FunctionalInterface
    public interface Around {
        Object invoke(Method method, Object[] args, Proceed proceed) throws Throwable;
    }

    /** The real call. */
    @FunctionalInterface
    public interface Proceed {
        Object call() throws Throwable;
    }

    /** {@code delegate} as a {@code type} whose every call goes through {@code around}. */
    public static <T> T around(Class<T> type, T delegate, Around around) {
        Object proxy = Proxy.newProxyInstance(
                type.getClassLoader(),
                new Class<?>[] {type},
                (p, method, args) -> around.invoke(method, args, () -> {
                    try {
                        return method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }));
        return type.cast(proxy);
    }
}
