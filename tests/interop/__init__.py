"""Tests against third-party peers (botocore, boto3, moto, minio).

Each module skips cleanly when its peer is not installed; ``tox -e interop``
installs them.
"""
