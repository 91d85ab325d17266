import os


def api_headers():
    token = os.environ["API_TOKEN"]
    return {"Authorization": "Bearer " + token}
