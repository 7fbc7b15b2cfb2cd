"""Detector step (Triton Python backend): bright regions of the image as [x0, y0, x1, y1, score] boxes."""

import numpy as np
import triton_python_backend_utils as pb_utils
from postprocess_utils import boxes_from_intensity


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            images = pb_utils.get_input_tensor_by_name(request, "IMAGE").as_numpy()
            boxes = np.stack([boxes_from_intensity(image.mean(axis=0)) for image in images])
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("BOXES", boxes.astype(np.float32))]))
        return responses
