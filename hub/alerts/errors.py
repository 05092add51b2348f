from hub.errors import NotFound, ValidationFailed


class AlertNotFound(NotFound):
    code = "alert_not_found"
    message = "No such alert."


class AlertInvalid(ValidationFailed):
    code = "alert_invalid"
