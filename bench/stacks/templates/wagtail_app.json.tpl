[
  {
    "name": "wagtail",
    "image": "${image}",
    "essential": true,
    "portMappings": [
      { "containerPort": 8000, "protocol": "tcp" }
    ],
    "environment": [
      { "name": "AWS_REGION", "value": "${region}" },
      { "name": "DJANGO_SETTINGS_MODULE", "value": "wagtail_site.settings.${stage}" },
      { "name": "DATABASE_IAM_USER", "value": "${db_user}" }
    ],
    "secrets": ${jsonencode([for variable, parameter in secrets : { name = variable, valueFrom = parameter }])},
    "healthCheck": {
      "command": ["CMD-SHELL", "python -c \"import urllib.request; urllib.request.urlopen('http://localhost:8000/')\""],
      "startPeriod": 60
    },
    "logConfiguration": {
      "logDriver": "awslogs",
      "options": {
        "awslogs-group": "${log_group}",
        "awslogs-region": "${region}",
        "awslogs-stream-prefix": "wagtail"
      }
    }
  }
]
