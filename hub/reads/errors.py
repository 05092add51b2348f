from hub.errors import Conflict, ValidationFailed


class BatchInvalid(ValidationFailed):
    code = "batch_invalid"
    message = "The batch is not valid."


class ReadsRejected(ValidationFailed):
    code = "reads_rejected"
    message = "No read in the batch was accepted."


class CameraNotCollecting(Conflict):
    code = "camera_not_collecting"
    message = "The camera is paused or retired: it collects nothing."
