[
  {
    "name": "${name}",
    "image": "${image}",
    "essential": true,
    "portMappings": [
      { "containerPort": 8080, "protocol": "tcp" }
    ],
    "environment": [
      { "name": "AWS_REGION", "value": "${region}" },
      { "name": "TABLE_NAME", "value": "${table}" }
    ],
    "logConfiguration": {
      "logDriver": "awslogs",
      "options": {
        "awslogs-group": "${log_group}",
        "awslogs-region": "${region}",
        "awslogs-stream-prefix": "${name}"
      }
    }
  }
]
