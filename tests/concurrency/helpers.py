import threading

from django.db import connections


def run_concurrently(functions, timeout=60):
    """Run each function in its own thread (own database connection), all released at once by
    a barrier. Returns (results, errors) in call order."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)
    errors = [None] * len(functions)

    def runner(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except BaseException as exc:  # collected for the test to inspect
            errors[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return results, errors
