"""Published AWS list prices the capacity plan uses: us-east-1, USD, on-demand, in one place.

Sources (the public pricing pages; read for this module in 2025, not fetched at run time, so check
them before budgeting from the plan):
- Lambda (arm64 duration, provisioned concurrency, requests, SnapStart for Python):
  https://aws.amazon.com/lambda/pricing/
- API Gateway HTTP APIs: https://aws.amazon.com/api-gateway/pricing/
- ElastiCache on-demand nodes and their baseline network bandwidth:
  https://aws.amazon.com/elasticache/pricing/ and
  https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html
- RDS for PostgreSQL on-demand instances, RDS Proxy: https://aws.amazon.com/rds/postgresql/pricing/,
  https://aws.amazon.com/rds/proxy/pricing/
- Data transfer out to the internet (first 10 TB/month): https://aws.amazon.com/ec2/pricing/on-demand/
"""

from __future__ import annotations

REGION = "us-east-1"
AS_OF = "2025 (list prices, us-east-1)"

LAMBDA_ARM_PER_GB_SECOND = 0.0000133334
LAMBDA_PER_MILLION_REQUESTS = 0.20
LAMBDA_ARM_PROVISIONED_PER_GB_SECOND = 0.0000033334  # while provisioned, invoked or not
LAMBDA_ARM_PROVISIONED_DURATION_PER_GB_SECOND = 0.0000097222  # duration on provisioned environments
SNAPSTART_CACHE_PER_GB_SECOND = 0.0000015046  # per published version, while active
SNAPSTART_RESTORE_PER_GB = 0.0001397998  # per environment restored
HTTP_API_PER_MILLION_REQUESTS = 1.00  # first 300 million a month
DATA_OUT_PER_GB = 0.09  # first 10 TB a month

# node type -> (USD per node-hour, baseline network bandwidth in Gbit/s)
CACHE_NODES = {
    "cache.t4g.micro": (0.016, 0.064),
    "cache.t4g.small": (0.032, 0.128),
    "cache.r7g.large": (0.219, 0.937),
    "cache.r7g.xlarge": (0.437, 1.876),
}
# instance class -> (USD per instance-hour single-AZ, vCPUs, max_connections: LEAST(memory/9531392, 5000))
DB_INSTANCES = {
    "db.t4g.micro": (0.016, 2, 112),
    "db.t4g.medium": (0.065, 2, 450),
    "db.r6g.large": (0.225, 2, 1802),
    "db.r6g.xlarge": (0.449, 4, 3604),
}
RDS_PROXY_PER_VCPU_HOUR = 0.015  # billed on the instance's vCPUs, at least 2
