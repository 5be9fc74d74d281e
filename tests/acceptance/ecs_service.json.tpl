[
  {
    "name": "${name}",
    "image": "${image}",
    "memoryReservation": 256,
    "portMappings": [
      { "containerPort": ${port} }
    ],
    "environment": [
      { "name": "APP", "value": "${name}" },
      { "name": "DJANGO_SETTINGS_MODULE", "value": "${name}.settings.production" }
    ],
    "logConfiguration": {
      "logDriver": "awslogs",
      "options": {
        "awslogs-group": "/ecs/${name}",
        "awslogs-region": "eu-west-1",
        "awslogs-stream-prefix": "${name}"
      }
    }
  }
]
