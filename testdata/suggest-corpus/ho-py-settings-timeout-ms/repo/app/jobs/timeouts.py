from jobs.settings import settings


def timeout_ms():
    return settings["TIMEOUT"] * 1000
