package io.sparkvae.spark.train;

import ai.djl.Device;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/** The device of the running Spark task: the GPU Spark assigned to it, else the CPU. */
public final class TaskDevice {
  private TaskDevice() {}

  /** The task's first assigned GPU ({@code spark.task.resource.gpu.amount}), or CPU. */
  public static Device current() {
    TaskContext tc = TaskContext.get();
    if (tc == null) {
      return Device.cpu();
    }
    scala.Option<ResourceInformation> gpu = tc.resources().get("gpu");
    if (gpu.isDefined() && gpu.get().addresses().length > 0) {
      return Device.gpu(Integer.parseInt(gpu.get().addresses()[0].trim()));
    }
    return Device.cpu();
  }
}
