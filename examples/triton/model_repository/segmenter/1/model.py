"""Segmenter step (Triton Python backend): one binary mask per detected box."""

import numpy as np
import triton_python_backend_utils as pb_utils
from postprocess_utils import masks_for_boxes


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            images = pb_utils.get_input_tensor_by_name(request, "IMAGE").as_numpy()
            boxes = pb_utils.get_input_tensor_by_name(request, "BOXES").as_numpy()
            masks = np.stack(
                [masks_for_boxes(img.mean(axis=0), b) for img, b in zip(images, boxes, strict=True)]
            )
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("MASKS", masks.astype(np.uint8))]))
        return responses
